import Link from "next/link";
import { Panel } from "@/app/_components/panel";
import { formatAbsoluteTime } from "@/app/_components/format";
import { JobStateBadge, VerdictBadge } from "@/app/_components/jobs/job-state-badge";
import { asMigrateResult, fmtMs } from "@/app/_components/jobs/migration-figures";
import { MigrationHistoryChart } from "@/app/_components/jobs/migration-history-chart";
import { MigrationLive } from "@/app/_components/jobs/migration-live";
import { fmtMsFine, preflightOf } from "@/app/_components/jobs/migration-prediction";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import { TERMINAL_JOB_STATES } from "@/server/contract/job";
import { loadHostOverview } from "../load-host";
import { MigrateForm } from "./migrate-form";

type Props = { params: Promise<{ id: string }> };

export const metadata = { title: "Live migration" };

const TERMINAL: readonly string[] = TERMINAL_JOB_STATES;

/** Host "Migration" tab: operators start a live migration of one of the host's VMs; everyone sees the live jobs and the history. */
export default async function HostMigrationPage({ params }: Props) {
  const rawId = (await params).id;
  const { host } = await loadHostOverview(rawId, "/migration");
  const user = await requirePageUser("viewer", `/hosts/${host.id}/migration`);
  const isOperator = roleAtLeast(user.role, "operator");
  const caller = await serverCaller();
  const [vms, jobs] = await Promise.all([caller.jobs.listHostVms({ hostId: host.id }), caller.jobs.list({ hostId: host.id, kind: "migrate", limit: 100 })]);
  const active = jobs.jobs.filter((j) => !TERMINAL.includes(j.state));
  const targets = [...new Set(jobs.jobs.filter((j) => TERMINAL.includes(j.state)).map((j) => j.target).filter((t): t is string => t !== null))].slice(0, 8);
  const histories = await Promise.all(targets.map(async (vm) => ({ vm, points: (await caller.jobs.getMigrationHistory({ hostId: host.id, vm })).points })));
  const details = await Promise.all(
    jobs.jobs.slice(0, 30).map(async (j) => {
      if (!TERMINAL.includes(j.state)) return { id: j.id, result: null, preflight: null };
      const job = (await caller.jobs.get({ id: j.id })).job;
      return { id: j.id, result: asMigrateResult(job.result), preflight: preflightOf(job.params) };
    }),
  );
  const resultOf = new Map(details.map((d) => [d.id, d.result]));
  const preflightOfJob = new Map(details.map((d) => [d.id, d.preflight]));
  return (
    <div className="space-y-4">
      {isOperator && (
        <Panel title="Migrate VM" id="migrate-vm">
          <MigrateForm hostId={host.id} vms={vms.vms} sectionPresent={vms.sectionPresent} />
        </Panel>
      )}
      {active.length > 0 && (
        <Panel title="In progress" id="migrations-active">
          <div className="space-y-4">
            {active.map((j) => (
              <MigrationLive key={j.id} jobId={j.id} canCancel={isOperator} />
            ))}
          </div>
        </Panel>
      )}
      <Panel title="Migration history" id="migration-history">
        {jobs.jobs.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">No migration of a VM on this host yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="migration-history-table">
              <thead className="text-xs text-slate-500 dark:text-slate-400">
                <tr>
                  <th className="py-1 pr-3 font-medium">Requested</th>
                  <th className="py-1 pr-3 font-medium">VM</th>
                  <th className="py-1 pr-3 font-medium">State</th>
                  <th className="py-1 pr-3 font-medium">Total</th>
                  <th className="py-1 pr-3 font-medium">Downtime</th>
                  <th className="py-1 pr-3 font-medium">Predicted</th>
                  <th className="py-1 pr-3 font-medium">Verdict</th>
                  <th className="py-1 pr-3 font-medium">By</th>
                </tr>
              </thead>
              <tbody>
                {jobs.jobs.map((j) => {
                  const r = resultOf.get(j.id) ?? null;
                  const pf = preflightOfJob.get(j.id)?.prediction ?? null;
                  return (
                    <tr key={j.id} className="border-t border-slate-100 dark:border-slate-800">
                      <td className="py-1 pr-3 tabular-nums">
                        <Link href={`/jobs/${j.id}`} className="text-sky-700 underline dark:text-sky-400">
                          {formatAbsoluteTime(j.createdAt)}
                        </Link>
                      </td>
                      <td className="py-1 pr-3">{j.target ?? "—"}</td>
                      <td className="py-1 pr-3">
                        <JobStateBadge state={j.state} cancelRequested={j.cancelRequested} />
                      </td>
                      <td className="py-1 pr-3 tabular-nums">{fmtMs(r?.totalTimeMs ?? null)}</td>
                      <td className="py-1 pr-3 tabular-nums">{fmtMs(r?.downtimeMs ?? null)}</td>
                      <td className="py-1 pr-3 tabular-nums" data-testid="history-predicted" title={pf?.message}>
                        {pf === null ? "—" : pf.converges ? `≤ ${fmtMs(pf.predictedTotalMs)} / ${fmtMsFine(pf.predictedDowntimeMs)}` : "will not converge"}
                      </td>
                      <td className="py-1 pr-3">{r ? <VerdictBadge verdict={r.verdict} /> : "—"}</td>
                      <td className="py-1 pr-3">{j.requestedBy.email ?? j.requestedBy.id}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      {histories.map((h) => (
        <Panel key={h.vm} title={`${h.vm}: total time and downtime per migration`} id={`migration-chart-${h.vm.replace(/[^A-Za-z0-9_-]/g, "_")}`}>
          <MigrationHistoryChart vm={h.vm} points={h.points} />
        </Panel>
      ))}
    </div>
  );
}
