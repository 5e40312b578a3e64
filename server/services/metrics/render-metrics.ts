import { timingSafeEqual } from "node:crypto";
import { DomainError } from "@/server/errors";
import { renderMetricsExposition } from "@/server/domain/metrics/exposition";
import { countJobsByKindAndState, listLastMigrations, listMetricsHosts } from "@/server/repo/metrics";

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The Prometheus exposition of the fleet. With `requiredToken` set (NFVDECK_METRICS_TOKEN) the scraper
 * must send it as a bearer token; without it the endpoint is open like node_exporter's.
 */
export async function renderMetrics(opts: { authorization: string | null; requiredToken: string | undefined; now?: Date }): Promise<{ text: string; hosts: number }> {
  if (opts.requiredToken !== undefined) {
    const m = /^Bearer\s+(\S+)$/.exec(opts.authorization?.trim() ?? "");
    if (!m?.[1] || !sameToken(m[1], opts.requiredToken)) throw new DomainError("UNAUTHORIZED", "a bearer token is required for /metrics (NFVDECK_METRICS_TOKEN)");
  }
  const [hosts, migrations, jobs] = await Promise.all([listMetricsHosts(), listLastMigrations(), countJobsByKindAndState()]);
  return { text: renderMetricsExposition({ hosts, migrations, jobs, now: opts.now ?? new Date() }), hosts: hosts.length };
}
