import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { createCaller } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { windowFromSearch } from "@/app/_components/latency/window-param";

export const dynamic = "force-dynamic";

/** The fleet latency report as CSV (viewer and up): /api/latency/report.csv?window=7d | ?window=custom&from=…&to=… */
export async function GET(req: Request): Promise<Response> {
  const sp = new URL(req.url).searchParams;
  const w = windowFromSearch({ window: sp.get("window") ?? undefined, from: sp.get("from") ?? undefined, to: sp.get("to") ?? undefined }, "7d");
  try {
    // Through tRPC like every page: the procedure's role check and DomainError mapping apply here too.
    const caller = createCaller(await createTrpcContext({ headers: req.headers }));
    const { filename, csv } = await caller.latency.exportFleetReportCsv({ window: w.spec });
    return new Response(csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${filename}"`,
        "cache-control": "no-store",
      },
    });
  } catch (e) {
    if (!(e instanceof TRPCError) || e.code === "INTERNAL_SERVER_ERROR") throw e;
    return new Response(`${e.message}\n`, { status: getHTTPStatusCodeFromError(e), headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}
