import Link from "next/link";
import type { IrqSection } from "@/server/contract/sections/irq";
import { irqsOnIsolatedCpus, summariseIrqOtherRows } from "@/server/domain/hosts/irq-view";
import { Facts, Mono, Muted, SubHeading } from "@/app/_components/panel";
import { CpuList, IsolatedTag } from "@/app/_components/host/cpu-chips";
import { CollectorWarnings } from "@/app/_components/host/collector-warnings";

export type IrqFilter = "all" | "isolated";

const count = (n: number) => n.toLocaleString("en-US");

function Managed({ value }: { value: boolean | null }) {
  if (value === null) return <span className="text-slate-400 dark:text-slate-500" title="IRQD_AFFINITY_MANAGED is in debugfs, which was not readable">unknown</span>;
  return value ? <span className="font-medium">managed</span> : <Muted>no</Muted>;
}

function FilterLink({ href, active, children }: { href: string; active: boolean; children: string }) {
  return (
    <Link
      href={href}
      scroll={false}
      aria-current={active ? "true" : undefined}
      className={`rounded-md px-2.5 py-1 text-xs font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-sky-500 ${
        active
          ? "bg-sky-600 text-white ring-sky-600 dark:bg-sky-500 dark:ring-sky-500"
          : "text-slate-700 ring-slate-300 hover:bg-slate-50 dark:text-slate-300 dark:ring-slate-600 dark:hover:bg-slate-800"
      }`}
    >
      {children}
    </Link>
  );
}

/**
 * IRQs of the latest report: the numbered IRQs (effective affinity on an isolated CPU highlighted),
 * a server-side filter through the URL (?irqs=isolated), and the named rows (LOC, RES …) summarised.
 * Plain server-rendered HTML: hundreds of rows cost no client JS.
 */
export function IrqPanel({ irq, isolatedCpus, filter, hrefFor }: { irq: IrqSection; isolatedCpus: readonly number[] | null; filter: IrqFilter; hrefFor: (f: IrqFilter) => string }) {
  const view = irqsOnIsolatedCpus(irq.irqs, isolatedCpus);
  const other = summariseIrqOtherRows(irq.other, isolatedCpus);
  const shown = filter === "isolated" ? view.rows.filter((r) => r.onIsolated.length > 0) : view.rows;
  const noEffective = view.rows.length > 0 && view.rows.every((r) => r.effectiveAffinity === null);
  return (
    <div className="space-y-6">
      <Facts
        className="sm:grid-cols-[minmax(8rem,auto)_1fr_minmax(8rem,auto)_1fr]"
        items={[
          ["Numbered IRQs", count(view.rows.length)],
          [
            "On isolated CPUs",
            !view.isolationKnown ? (
              <Muted key="o">isolated set unknown (no kernel section)</Muted>
            ) : (
              <span key="o" data-testid="irqs-on-isolated-count" className={view.onIsolatedCount > 0 ? "font-medium text-amber-700 dark:text-amber-400" : "font-medium text-emerald-700 dark:text-emerald-400"}>
                {view.onIsolatedCount}
                {view.managedOnIsolatedCount > 0 && <Muted> ({view.managedOnIsolatedCount} kernel-managed)</Muted>}
              </span>
            ),
          ],
          ["Isolated CPUs", <CpuList key="i" cpus={isolatedCpus} nullText="unknown" />],
          ["default_smp_affinity", <CpuList key="d" cpus={irq.defaultSmpAffinity} nullText="not readable" />],
        ]}
      />

      <div>
        <div className="mb-2 flex flex-wrap items-center justify-between gap-3">
          <SubHeading>Numbered IRQs</SubHeading>
          <div className="flex items-center gap-1.5" role="group" aria-label="IRQ filter">
            <FilterLink href={hrefFor("all")} active={filter === "all"}>{`All (${view.rows.length})`}</FilterLink>
            <FilterLink href={hrefFor("isolated")} active={filter === "isolated"}>{`Only IRQs on isolated CPUs (${view.onIsolatedCount})`}</FilterLink>
          </div>
        </div>
        {noEffective && (
          <p className="mb-2 text-xs text-slate-500 dark:text-slate-400">
            This kernel exposes no <Mono>effective_affinity_list</Mono>: where an IRQ really fires is unknown; an smp_affinity that includes an isolated CPU is marked “may fire”.
          </p>
        )}
        {shown.length === 0 ? (
          <p className="rounded-md border border-slate-200 px-3 py-2 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-300" data-testid="irq-empty">
            {filter === "isolated" ? (view.isolationKnown ? "No IRQ has an effective affinity on an isolated CPU." : "The isolated set is unknown.") : "No numbered IRQs reported."}
          </p>
        ) : (
          <div className="max-h-[36rem] overflow-auto rounded-md border border-slate-200 dark:border-slate-800">
            {/* Cell styles live on the table (descendant variants), not on each of possibly thousands of cells. */}
            <table
              className="w-full text-xs tabular-nums [&_td]:px-3 [&_td]:py-1 [&_td:nth-child(-n+3)]:font-mono [&_td:nth-child(1)]:text-right [&_td:nth-child(2)]:break-all [&_td:nth-child(3)]:text-slate-600 dark:[&_td:nth-child(3)]:text-slate-300 [&_td:nth-child(4)]:text-right"
              aria-label="Numbered IRQs"
              data-testid="irq-table"
            >
              <thead className="sticky top-0 z-10 bg-slate-50 text-left text-slate-500 dark:bg-slate-800 dark:text-slate-400">
                <tr>
                  <th scope="col" className="px-3 py-1.5 text-right font-medium">IRQ</th>
                  <th scope="col" className="px-3 py-1.5 font-medium">Name</th>
                  <th scope="col" className="px-3 py-1.5 font-medium">Chip</th>
                  <th scope="col" className="px-3 py-1.5 text-right font-medium">Total</th>
                  <th scope="col" className="px-3 py-1.5 font-medium">smp_affinity</th>
                  <th scope="col" className="px-3 py-1.5 font-medium">effective_affinity</th>
                  <th scope="col" className="px-3 py-1.5 font-medium">Managed</th>
                  <th scope="col" className="px-3 py-1.5 font-medium">On isolated CPUs</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {shown.map((r) => {
                  const hit = r.onIsolated.length > 0;
                  return (
                    <tr key={r.irq} data-testid="irq-row" data-irq={r.irq} data-on-isolated={hit ? "true" : "false"} className={hit ? "bg-amber-50 dark:bg-amber-500/15" : undefined}>
                      <td className={hit ? "shadow-[inset_4px_0_0_var(--color-amber-500)]" : undefined}>{r.irq}</td>
                      <td>{r.name === "" ? <Muted>(no action)</Muted> : r.name}</td>
                      <td>
                        {r.chip ?? <Muted>—</Muted>}
                        {r.hwirq && <span className="text-slate-400 dark:text-slate-500"> {r.hwirq}</span>}
                      </td>
                      <td>{count(r.total)}</td>
                      <td><CpuList cpus={r.smpAffinity} nullText="not readable" /></td>
                      <td><CpuList cpus={r.effectiveAffinity} nullText="not exposed" /></td>
                      <td><Managed value={r.managed} /></td>
                      <td>
                        {hit ? (
                          <IsolatedTag cpus={r.onIsolated} label="fires on" />
                        ) : r.smpOnIsolated.length > 0 ? (
                          <span className="text-slate-600 dark:text-slate-300">may fire on <CpuList cpus={r.smpOnIsolated} /></span>
                        ) : (
                          <Muted>—</Muted>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>

      <div>
        <SubHeading>Per-CPU interrupts (LOC, RES, TLB …)</SubHeading>
        {other.rows.length === 0 && other.zeroNames.length === 0 ? (
          <Muted>None reported.</Muted>
        ) : (
          <>
            <table className="w-full text-sm" aria-label="Per-CPU interrupts" data-testid="irq-other">
              <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">Row</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Description</th>
                  <th scope="col" className="py-1 pr-3 text-right font-medium">Total</th>
                  <th scope="col" className="py-1 pr-3 text-right font-medium">CPUs counting</th>
                  <th scope="col" className="py-1 font-medium">Isolated CPUs counting</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {other.rows.map((o) => (
                  <tr key={o.name}>
                    <td className="py-1 pr-3 font-mono text-xs">{o.name}</td>
                    <td className="py-1 pr-3 text-slate-600 dark:text-slate-300">{o.description || <Muted>—</Muted>}</td>
                    <td className="py-1 pr-3 text-right text-xs tabular-nums">{count(o.total)}</td>
                    <td className="py-1 pr-3 text-right text-xs tabular-nums">{o.cpuCount}</td>
                    <td className="py-1">{!view.isolationKnown ? <Muted>unknown</Muted> : <CpuList cpus={o.isolatedWithCounts} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {other.zeroNames.length > 0 && (
              <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
                Never fired: <Mono>{other.zeroNames.join(", ")}</Mono>
              </p>
            )}
            <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">Counts since boot; the agent reports which CPUs counted, not how much each.</p>
          </>
        )}
      </div>

      <CollectorWarnings warnings={irq.warnings} />
    </div>
  );
}
