/**
 * CAT masks drawn as cache ways: one row per (resource, L3 domain), one cell per way, highest way left
 * so a row reads like the hex mask. Server or client.
 */
import { maskWays } from "@/server/domain/qos/cat-grid";

export function waysText(mask: string, ways: number): string {
  const set = (maskWays(mask, ways) ?? []).flatMap((on, i) => (on ? [i] : []));
  if (set.length === 0) return `mask ${mask}: no ways`;
  const lo = Math.min(...set);
  const hi = Math.max(...set);
  const contiguous = hi - lo + 1 === set.length;
  return `mask ${mask}: ${contiguous ? (lo === hi ? `way ${lo}` : `ways ${lo}–${hi}`) : `ways ${set.join(", ")}`} of ${ways} (${set.length} ${set.length === 1 ? "way" : "ways"})`;
}

export function MaskWays({ rows, ways, shareableBits, testId }: { rows: ReadonlyArray<{ resource: string; domain: number; mask: string }>; ways: number; shareableBits: string | null; testId: string }) {
  const shareable = maskWays(shareableBits ?? "0", ways) ?? [];
  const idx = Array.from({ length: ways }, (_, i) => ways - 1 - i);
  return (
    <table className="border-separate border-spacing-0.5 text-xs" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col" className="pr-2 text-left font-medium text-slate-500 dark:text-slate-400">
            L3
          </th>
          {idx.map((w) => (
            <th key={w} scope="col" className="w-5 text-center font-mono font-normal text-slate-500 dark:text-slate-400">
              {w}
              {shareable[w] ? "*" : ""}
            </th>
          ))}
          <th scope="col" className="sr-only">
            Mask
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const on = maskWays(r.mask, ways) ?? [];
          return (
            <tr key={`${r.resource}/${r.domain}`} data-testid="mask-row">
              <th scope="row" className="pr-2 text-left font-normal whitespace-nowrap">
                #{r.domain}
                {r.resource !== "L3" ? ` ${r.resource.slice(2).toLowerCase()}` : ""}
              </th>
              {idx.map((w) => (
                <td key={w} className={`h-5 w-5 rounded-sm border ${on[w] ? "border-sky-700 bg-sky-600 dark:border-sky-300 dark:bg-sky-400" : "border-slate-300 bg-slate-50 dark:border-slate-700 dark:bg-slate-800"}`} title={`way ${w}: ${on[w] ? "in the mask" : "not in the mask"}`}>
                  <span className="sr-only">{on[w] ? "set" : "clear"}</span>
                </td>
              ))}
              <td className="pl-2 font-mono whitespace-nowrap">{waysText(r.mask, ways)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
