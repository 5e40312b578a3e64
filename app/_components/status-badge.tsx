import type { HostStatus } from "@/server/domain/hosts/status";

const STYLE: Record<HostStatus, { dot: string; text: string }> = {
  online: { dot: "bg-emerald-500", text: "text-emerald-800 bg-emerald-50 ring-emerald-600/20 dark:text-emerald-300 dark:bg-emerald-500/10 dark:ring-emerald-400/30" },
  stale: { dot: "bg-amber-500", text: "text-amber-800 bg-amber-50 ring-amber-600/20 dark:text-amber-300 dark:bg-amber-500/10 dark:ring-amber-400/30" },
  offline: { dot: "bg-rose-500", text: "text-rose-800 bg-rose-50 ring-rose-600/20 dark:text-rose-300 dark:bg-rose-500/10 dark:ring-rose-400/30" },
};

/** Status as text plus colour (never colour alone). */
export function StatusBadge({ status }: { status: HostStatus }) {
  const s = STYLE[status];
  return (
    <span className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${s.text}`} data-status={status}>
      <span aria-hidden="true" className={`size-1.5 rounded-full ${s.dot}`} />
      {status}
    </span>
  );
}
