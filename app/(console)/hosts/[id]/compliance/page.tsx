import Link from "next/link";
import { Panel } from "@/app/_components/panel";
import { formatAbsoluteTime } from "@/app/_components/format";
import { serverCaller } from "@/app/_trpc/server";
import { RuleStatusBadge, ScoreText, SeverityTag } from "@/app/(console)/compliance/compliance-ui";
import { RULE_SECTION_TITLES, RULE_SECTIONS, type Finding } from "@/server/domain/compliance/types";
import { loadHostOverview } from "../load-host";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import { tuneActionIdSchema } from "@/server/contract/tuning";
import { LatencyBeforeAfter } from "@/app/_components/tuning/latency-before-after";

type Props = { params: Promise<{ id: string }> };

export const metadata = { title: "Compliance" };

function FindingRow({ f, hostId, canTune }: { f: Finding; hostId: string; canTune: boolean }) {
  const open = f.status === "fail" || f.status === "warn";
  return (
    <li className="py-2" data-testid={`finding-${f.ruleId}`} data-status={f.status}>
      <details open={open} className="group">
        <summary className="flex cursor-pointer list-none flex-wrap items-center gap-x-3 gap-y-1 rounded focus-visible:outline-2 focus-visible:outline-sky-500">
          <RuleStatusBadge status={f.status} />
          <span className="font-medium">{f.title}</span>
          <code className="text-xs text-slate-500 dark:text-slate-400">{f.ruleId}</code>
          <SeverityTag severity={f.severity} />
          <span className="basis-full pl-14 text-sm text-slate-600 dark:text-slate-300">{f.message}</span>
        </summary>
        <div className="mt-2 ml-14 space-y-2 rounded-md bg-slate-50 p-3 text-sm dark:bg-slate-950/60">
          <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1">
            <dt className="text-slate-500 dark:text-slate-400">Observed</dt>
            <dd className="font-mono text-xs break-words" data-testid="evidence-observed">
              {f.evidence.observed}
              {f.evidence.inferred && <span className="ml-2 rounded bg-violet-100 px-1 font-sans text-[11px] text-violet-800 dark:bg-violet-500/20 dark:text-violet-200">observed effect, BIOS setting not reported</span>}
            </dd>
            <dt className="text-slate-500 dark:text-slate-400">Expected</dt>
            <dd className="font-mono text-xs break-words">{f.expected}</dd>
            <dt className="text-slate-500 dark:text-slate-400">Source</dt>
            <dd className="font-mono text-xs break-words">{f.evidence.source}</dd>
          </dl>
          {f.evidence.items && f.evidence.items.length > 0 && (
            <ul className="ml-[7.75rem] list-disc space-y-0.5 pl-4 font-mono text-xs" data-testid="evidence-items">
              {f.evidence.items.map((it) => (
                <li key={it}>{it}</li>
              ))}
            </ul>
          )}
          {f.status !== "pass" && f.status !== "na" && (
            <p className="text-sm">
              <span className="font-medium">Remediation: </span>
              {f.remediation}
              {f.tuningActionId && canTune && tuneActionIdSchema.safeParse(f.tuningActionId).success && (
                <>
                  {" "}
                  <Link
                    href={`/hosts/${hostId}/tune?action=${encodeURIComponent(f.tuningActionId)}&rule=${encodeURIComponent(f.ruleId)}`}
                    className="ml-1 rounded border border-sky-300 bg-white px-1.5 py-px align-middle text-[12px] font-medium text-sky-700 hover:bg-sky-50 dark:border-sky-700 dark:bg-slate-900 dark:text-sky-300"
                    data-testid="tuning-fix"
                  >
                    Fix… <span className="sr-only">with tuning action {f.tuningActionId}</span>
                  </Link>
                </>
              )}
              {f.tuningActionId && !canTune && (
                <>
                  {" "}
                  {/* Viewers see which action fixes it; only operators and admins may run it. */}
                  <span
                    className="ml-1 inline-flex items-center gap-1 rounded border border-slate-300 bg-white px-1.5 py-px align-middle text-[11px] text-slate-600 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-300"
                    title="An operator or admin can run this tuning action from here"
                    data-testid="tuning-action"
                  >
                    tuning action <code className="font-mono">{f.tuningActionId}</code>
                    <span className="sr-only"> (operators and admins can run it)</span>
                  </span>
                </>
              )}
            </p>
          )}
        </div>
      </details>
    </li>
  );
}

/** Compliance tab: the result grouped by rule section, with evidence, remediation and the drift timeline. */
export default async function HostCompliancePage({ params }: Props) {
  const rawId = (await params).id;
  const { host } = await loadHostOverview(rawId, "/compliance");
  const canTune = roleAtLeast((await requirePageUser("viewer", `/hosts/${host.id}/compliance`)).role, "operator");
  const caller = await serverCaller();
  const [c, drift] = await Promise.all([caller.compliance.getHostCompliance({ hostId: host.id }), caller.compliance.getDriftHistory({ hostId: host.id, limit: 300 })]);
  const r = c.result;
  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900" data-testid="compliance-summary">
        {r ? (
          <div className="flex flex-wrap items-baseline gap-x-6 gap-y-2">
            <p className="text-base">
              <span className="font-semibold text-rose-700 dark:text-rose-400">{r.counts.fail} failing</span>, <span className="font-semibold text-amber-700 dark:text-amber-400">{r.counts.warn} warning</span>,{" "}
              <span className="text-emerald-700 dark:text-emerald-400">{r.counts.pass} passing</span>, <span className="text-slate-500">{r.counts.na} n/a</span> — score <ScoreText score={r.score} />
            </p>
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Profile{" "}
              <Link href={`/compliance/profiles/${encodeURIComponent(c.resolution.profileId)}`} className="font-medium text-sky-700 underline dark:text-sky-400" data-testid="profile-link">
                {c.profileName}
              </Link>{" "}
              ({c.resolution.reason}) · evaluated {formatAbsoluteTime(r.evaluatedAt)}
            </p>
          </div>
        ) : (
          <p>Not evaluated yet: the host has not reported.</p>
        )}
      </section>

      {r &&
        RULE_SECTIONS.filter((s) => r.findings.some((f) => f.section === s)).map((section) => {
          const findings = r.findings.filter((f) => f.section === section);
          const applicable = findings.filter((f) => f.status !== "na");
          const na = findings.filter((f) => f.status === "na");
          const summary = r.sections[section];
          return (
            <Panel
              key={section}
              title={RULE_SECTION_TITLES[section]}
              id={`compliance-${section}`}
              actions={
                summary && (
                  <span className="text-xs text-slate-500 dark:text-slate-400">
                    {summary.counts.fail} fail · {summary.counts.warn} warn · {summary.counts.pass} pass · {summary.counts.na} n/a
                  </span>
                )
              }
            >
              {applicable.length > 0 && (
                <ul className="divide-y divide-slate-100 dark:divide-slate-800">
                  {applicable.map((f) => (
                    <FindingRow key={f.ruleId} f={f} hostId={host.id} canTune={canTune} />
                  ))}
                </ul>
              )}
              {na.length > 0 && (
                <details className="mt-2 text-sm" open={applicable.length === 0 && na.length <= 3}>
                  <summary className="cursor-pointer text-slate-500 dark:text-slate-400">{na.length} not applicable on this host</summary>
                  <ul className="divide-y divide-slate-100 dark:divide-slate-800">
                    {na.map((f) => (
                      <FindingRow key={f.ruleId} f={f} hostId={host.id} canTune={canTune} />
                    ))}
                  </ul>
                </details>
              )}
            </Panel>
          );
        })}

      <Panel title="Drift history" id="compliance-drift">
        {drift.entries.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">No changes since the first report.</p>
        ) : (
          <ol className="space-y-2 text-sm" data-testid="drift-timeline">
            {drift.entries.map((e) => (
              <li key={e.at.toISOString()} className="flex gap-3">
                <time className="shrink-0 font-mono text-xs leading-5 text-slate-500 tabular-nums dark:text-slate-400" dateTime={e.at.toISOString()}>
                  {e.at.toISOString().slice(0, 16).replace("T", " ")}
                </time>
                <div className="min-w-0">
                  {e.changes.length > 0 && <p className="break-words">{e.changes.join(", ")}</p>}
                  {e.ruleChanges.length > 0 && (
                    <p className="text-slate-600 dark:text-slate-300">
                      {e.ruleChanges.map((rc) => (
                        <span key={rc.ruleId} className="mr-3 inline-block">
                          rule <code className="text-xs">{rc.ruleId}</code> {rc.oldStatus ?? "—"} → <strong>{rc.newStatus ?? "removed"}</strong>
                        </span>
                      ))}
                    </p>
                  )}
                  {e.tuning && (
                    <div className="mt-1 rounded-md border-l-2 border-sky-400 pl-2 dark:border-sky-600" data-testid="drift-tuning">
                      <p className="text-slate-600 dark:text-slate-300">
                        tuning{" "}
                        <Link href={`/jobs/${e.tuning.jobId}`} className="text-sky-700 underline dark:text-sky-400">
                          {e.tuning.mode} <code className="text-xs">{e.tuning.action}</code>
                        </Link>
                      </p>
                      <LatencyBeforeAfter change={e.tuning} compact />
                    </div>
                  )}
                </div>
              </li>
            ))}
          </ol>
        )}
      </Panel>
    </div>
  );
}
