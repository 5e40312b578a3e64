/**
 * CAT allocation as cache-way grids: per L3 domain, one row per control group (and per CODE/DATA
 * with CDP), one column per way, highest way left so a row reads like the hex mask.
 */
import { BIT_USAGE_LEGEND, describeCell, type CatGrid } from "@/server/domain/qos/cat-grid";
import { seriesColor } from "@/app/_components/latency/chart-colors";

function groupLabel(group: string): string {
  return group === "/" ? "/ (default)" : group;
}

/** colorIndex: the same palette index per group as the monitoring charts use. */
export function CatGridView({ grid, colorIndex, vnfsOf = () => [] }: { grid: CatGrid; colorIndex: (group: string) => number; vnfsOf?: (group: string) => readonly string[] }) {
  const wayIdx = Array.from({ length: grid.ways }, (_, i) => grid.ways - 1 - i);
  if (grid.rows.length === 0) return <p className="text-sm text-slate-500 dark:text-slate-400">No L3 cache allocation in the schemata (CAT not supported or not enabled).</p>;
  return (
    <div className="space-y-4" data-testid="cat-grid">
      {grid.domains.map((domain) => (
        <div key={domain} tabIndex={0} role="region" aria-label={`L3 cache domain ${domain} allocation`} className="overflow-x-auto rounded focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
          <table className="border-separate border-spacing-0.5 text-xs" data-testid={`cat-grid-domain-${domain}`}>
            <caption className="mb-1 text-left text-xs font-semibold text-slate-600 dark:text-slate-300">
              L3 domain {domain} — {grid.ways} ways{grid.cdp ? ", CDP (code/data)" : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col" className="pr-2 text-left font-medium text-slate-500 dark:text-slate-400">
                  Group
                </th>
                {grid.cdp && (
                  <th scope="col" className="pr-2 text-left font-medium text-slate-500 dark:text-slate-400">
                    Type
                  </th>
                )}
                {wayIdx.map((w) => (
                  <th key={w} scope="col" className="w-6 text-center font-mono font-normal text-slate-500 dark:text-slate-400" title={grid.shareableWays[w] ? `way ${w} (shareable with I/O / other agents)` : `way ${w}`}>
                    {w}
                    {grid.shareableWays[w] ? <span aria-label="shareable">*</span> : null}
                  </th>
                ))}
                <th scope="col" className="pl-2 text-left font-medium text-slate-500 dark:text-slate-400">
                  Mask
                </th>
              </tr>
            </thead>
            <tbody>
              {grid.bitUsage.has(domain) && (
                <tr className="text-slate-500 dark:text-slate-400">
                  <th scope="row" className="pr-2 text-left font-normal italic" title="info/L3/bit_usage">
                    usage
                  </th>
                  {grid.cdp && <td />}
                  {wayIdx.map((w) => {
                    const letter = grid.bitUsage.get(domain)?.[w] ?? null;
                    return (
                      <td key={w} className="text-center font-mono" title={letter ? `way ${w}: ${BIT_USAGE_LEGEND[letter] ?? letter}` : undefined}>
                        {letter ?? ""}
                      </td>
                    );
                  })}
                  <td />
                </tr>
              )}
              {grid.rows.map((row) => {
                const cell = row.cells.find((c) => c.domain === domain);
                if (!cell) return null;
                const color = seriesColor(colorIndex(row.group));
                const text = describeCell(cell, grid.ways);
                return (
                  <tr key={`${row.group}/${row.resource}`} data-testid="cat-row">
                    <th scope="row" className="max-w-48 truncate pr-2 text-left font-mono font-normal" title={row.group}>
                      <span className="mr-1.5 inline-block size-2 rounded-full align-middle" style={{ backgroundColor: color }} aria-hidden="true" />
                      {groupLabel(row.group)}
                    </th>
                    {grid.cdp && <td className="pr-2 font-mono text-slate-600 dark:text-slate-300">{row.resource === "L3CODE" ? "CODE" : row.resource === "L3DATA" ? "DATA" : "L3"}</td>}
                    {wayIdx.map((w) => {
                      const on = cell.ways?.[w] ?? false;
                      return (
                        <td
                          key={w}
                          aria-hidden="true"
                          className={`h-5 w-6 rounded-sm border ${on ? "border-transparent" : "border-slate-200 bg-slate-50 dark:border-slate-700 dark:bg-slate-800/60"}`}
                          style={on ? { backgroundColor: color } : undefined}
                        />
                      );
                    })}
                    <td className="pl-2 font-mono whitespace-nowrap">
                      <span aria-hidden="true">{cell.mask ?? "—"}</span>
                      <span className="ml-2 text-slate-500 dark:text-slate-400" aria-hidden="true">
                        {cell.ways ? `${cell.wayCount}/${grid.ways}` : ""}
                      </span>
                      <span className="sr-only">{text}</span>
                    </td>
                    {/* the VNFs the agent monitors in this class (after the mask, so the row header stays the group) */}
                    <td className="pl-2 text-xs whitespace-nowrap text-slate-600 dark:text-slate-300" data-testid="cat-row-vnfs">
                      {vnfsOf(row.group).length > 0 ? `VNF ${vnfsOf(row.group).join(", ")}` : ""}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ))}
      {grid.shareableWays.some(Boolean) && <p className="text-xs text-slate-500 dark:text-slate-400">* shareable ways (info/L3/shareable_bits): also used by I/O or other agents.</p>}
      {grid.bitUsage.size > 0 && (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Usage (info/L3/bit_usage):{" "}
          {Object.entries(BIT_USAGE_LEGEND)
            .map(([k, v]) => `${k} ${v}`)
            .join(" · ")}
          .
        </p>
      )}
    </div>
  );
}
