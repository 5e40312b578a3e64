import { formatCpuList } from "@/server/domain/cpuset/cpuset";
import { Muted } from "@/app/_components/panel";

/** A CPU list in compact form ("4-19,44-59"); long lists wrap; null = not exposed. */
export function CpuList({ cpus, nullText = "—" }: { cpus: readonly number[] | null; nullText?: string }) {
  if (cpus === null) return <Muted>{nullText}</Muted>;
  if (cpus.length === 0) return <Muted>none</Muted>;
  return <span className="font-mono text-xs break-all">{formatCpuList(cpus)}</span>;
}

/** Isolated CPUs as a violet tag (the colour of isolated CPUs in the CPU map), with the word, not only the colour. */
export function IsolatedTag({ cpus, label = "isolated" }: { cpus: readonly number[]; label?: string }) {
  return (
    <span className="inline-flex items-center gap-1 rounded bg-violet-100 px-1.5 py-0.5 text-[11px] font-medium text-violet-800 dark:bg-violet-500/20 dark:text-violet-200">
      {label} <span className="font-mono">{formatCpuList(cpus)}</span>
    </span>
  );
}
