import http from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { appRouter } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { checkDatabase } from "@/server/repo/health";

/**
 * The lean agent-facing API: the same appRouter and contract as the web app, served by tRPC's
 * standalone adapter over plain node:http (a Next.js route handler costs ~4× per request).
 * Only the `agent.*` and `system.*` procedures are exposed here; users go through the web app.
 */
export function createIngestServer(opts: { maxBodyBytes: number }): http.Server {
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    maxBodySize: opts.maxBodyBytes,
    createContext: ({ req }) => createTrpcContext({ headers: toHeaders(req.headers), skipSession: true, viaHttp: true }),
  });

  return http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (url === "/api/health" && req.method === "GET") {
      void checkDatabase().then((h) => sendJson(res, h.ok ? 200 : 503, h));
      return;
    }
    if (!url.startsWith("/api/trpc/agent.") && !url.startsWith("/api/trpc/system.")) {
      sendJson(res, 404, { error: { message: "not found: the agent API serves /api/trpc/agent.* and /api/health" } });
      return;
    }
    // Refuse oversized bodies up front with a clear 413, before reading them.
    const declared = Number(req.headers["content-length"] ?? "0");
    if (Number.isFinite(declared) && declared > opts.maxBodyBytes) {
      sendJson(res, 413, {
        error: { message: `request body of ${declared} bytes exceeds the limit of ${opts.maxBodyBytes} bytes`, code: "PAYLOAD_TOO_LARGE" },
      });
      req.resume();
      return;
    }
    trpcHandler(req, res);
  });
}

function toHeaders(h: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) headers.append(k, item);
    else headers.set(k, v);
  }
  return headers;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
