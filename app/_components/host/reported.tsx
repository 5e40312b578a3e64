import { formatAbsoluteTime } from "@/app/_components/format";

/** "reported <time>" in a panel header: when the agent collected the section. */
export function Reported({ at }: { at: Date }) {
  return <span className="text-xs text-slate-500 dark:text-slate-400">reported {formatAbsoluteTime(at)}</span>;
}
