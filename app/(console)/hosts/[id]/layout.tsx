import type { ReactNode } from "react";
import { StatusBadge } from "@/app/_components/status-badge";
import { Labels } from "@/app/_components/labels";
import { formatAbsoluteTime, formatRelativeTime, orDash } from "@/app/_components/format";
import { HostTabs } from "./host-tabs";
import { loadHostOverview } from "./load-host";

type Props = { children: ReactNode; params: Promise<{ id: string }> };

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { host } = await loadHostOverview((await params).id);
  return { title: host.hostname };
}

export default async function HostLayout({ children, params }: Props) {
  const { generatedAt, host } = await loadHostOverview((await params).id);
  return (
    <div className="space-y-4">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 space-y-1.5">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="truncate text-xl font-semibold tracking-tight" data-testid="host-name">
              {host.hostname}
            </h1>
            <StatusBadge status={host.status} />
            {host.isVirtual && (
              <span className="rounded bg-violet-100 px-1.5 py-0.5 text-xs font-semibold text-violet-700 dark:bg-violet-500/15 dark:text-violet-300">virtual machine</span>
            )}
          </div>
          <Labels labels={host.labels} />
        </div>
        <dl className="grid grid-cols-[auto_auto] gap-x-4 gap-y-0.5 text-sm sm:grid-cols-[auto_auto_auto_auto]">
          <dt className="text-slate-500 dark:text-slate-400">Last seen</dt>
          <dd className="tabular-nums" title={formatAbsoluteTime(host.lastSeenAt)}>
            {formatRelativeTime(host.lastSeenAt, generatedAt)}
          </dd>
          <dt className="text-slate-500 dark:text-slate-400">Agent</dt>
          <dd className="font-mono text-xs leading-5">{orDash(host.agentVersion)}</dd>
          <dt className="text-slate-500 dark:text-slate-400">Heartbeat</dt>
          <dd className="tabular-nums">every {host.heartbeatSeconds} s</dd>
          <dt className="text-slate-500 dark:text-slate-400">Enrolled</dt>
          <dd className="tabular-nums" title={formatAbsoluteTime(host.enrolledAt)}>
            {host.enrolledAt.toISOString().slice(0, 10)}
          </dd>
        </dl>
      </header>
      <HostTabs hostId={host.id} />
      {children}
    </div>
  );
}
