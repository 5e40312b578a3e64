import { getSessionUser } from "@/server/auth/session";
import { roleAtLeast } from "@/server/auth/session-user";
import { fleetReportCsv } from "@/server/domain/latency/csv";
import { DomainError } from "@/server/errors";
import { fleetReport } from "@/server/repo/latency";
import { windowFromSearch } from "@/app/_components/latency/window-param";

export const dynamic = "force-dynamic";

/** The fleet latency report as CSV (viewer and up): /api/latency/report.csv?window=7d | ?window=custom&from=…&to=… */
export async function GET(req: Request): Promise<Response> {
  const user = await getSessionUser(req.headers);
  if (!user) return new Response("sign in first\n", { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } });
  if (!roleAtLeast(user.role, "viewer")) return new Response("forbidden\n", { status: 403 });
  const sp = new URL(req.url).searchParams;
  const w = windowFromSearch({ window: sp.get("window") ?? undefined, from: sp.get("from") ?? undefined, to: sp.get("to") ?? undefined }, "7d");
  try {
    const report = await fleetReport(w.spec);
    const name = `latency-report-${report.window.from.toISOString().slice(0, 10)}-${report.window.to.toISOString().slice(0, 10)}.csv`;
    return new Response(fleetReportCsv(report.rows, report.window), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "no-store",
      },
    });
  } catch (e) {
    if (e instanceof DomainError && e.code === "INVALID") return new Response(`${e.message}\n`, { status: 400 });
    throw e;
  }
}
