import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { createCaller } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";

export const dynamic = "force-dynamic";

/** Prometheus scrape endpoint on the console port: text exposition format 0.0.4. */
export async function GET(req: Request): Promise<Response> {
  try {
    // skipSession: a scraper has no session; the bearer (if any) is the metrics token, not a host token.
    const caller = createCaller(await createTrpcContext({ headers: req.headers, skipSession: true }));
    const { text } = await caller.metrics.getExposition();
    return new Response(text, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } });
  } catch (e) {
    if (!(e instanceof TRPCError) || e.code === "INTERNAL_SERVER_ERROR") throw e;
    const status = getHTTPStatusCodeFromError(e);
    const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8" };
    if (status === 401) headers["www-authenticate"] = 'Bearer realm="nfvdeck metrics"';
    return new Response(`${e.message}\n`, { status, headers });
  }
}
