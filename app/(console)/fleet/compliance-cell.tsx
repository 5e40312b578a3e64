import Link from "next/link";
import { ScoreText } from "@/app/(console)/compliance/compliance-ui";
import { failingSections, type FleetCompliance } from "@/server/domain/hosts/fleet-compliance";
import { RULE_SECTION_TITLES } from "@/server/domain/compliance/types";

const COUNT_CHIPS = [
  { key: "fail", word: "failing", style: "bg-rose-100 text-rose-800 dark:bg-rose-500/20 dark:text-rose-200" },
  { key: "warn", word: "warning", style: "bg-amber-100 text-amber-900 dark:bg-amber-500/20 dark:text-amber-200" },
  { key: "pass", word: "passing", style: "bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-200" },
] as const;

/**
 * The fleet row's compliance: score, then fail / warn / pass counts as coloured chips (each with
 * its word for screen readers and in the tooltip: never colour alone), linking to the host's
 * Compliance tab.
 */
export function ComplianceCell({ hostId, hostname, compliance: c }: { hostId: string; hostname: string; compliance: FleetCompliance | null }) {
  if (!c) {
    return (
      <span className="text-xs text-slate-500 dark:text-slate-400" title="no compliance result yet: the host has not reported" data-testid="fleet-compliance" data-score="">
        not evaluated
      </span>
    );
  }
  const failing = failingSections(c).map((s) => RULE_SECTION_TITLES[s]);
  const title = `${c.fail} failing, ${c.warn} warning, ${c.pass} passing, ${c.na} n/a${failing.length > 0 ? ` · failing: ${failing.join(", ")}` : ""}`;
  return (
    <Link
      href={`/hosts/${hostId}/compliance`}
      prefetch={false}
      title={title}
      aria-label={`Compliance of ${hostname}: score ${c.score.toFixed(1)}, ${title}`}
      data-testid="fleet-compliance"
      data-score={c.score}
      className="inline-flex items-center gap-1.5 rounded px-0.5 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
    >
      <span className="w-9 text-right">
        <ScoreText score={c.score} />
      </span>
      {COUNT_CHIPS.map((chip) => (
        <span key={chip.key} className={`min-w-6 rounded px-1 text-center font-mono text-xs tabular-nums ${c[chip.key] === 0 ? "text-slate-500 dark:text-slate-400" : chip.style}`}>
          {c[chip.key]}
        </span>
      ))}
    </Link>
  );
}
