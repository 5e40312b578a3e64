import http from "node:http";
import { callTRPCProcedure, getErrorShape, getTRPCErrorFromUnknown, transformTRPCResponse, type TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { getHTTPStatusCode } from "@trpc/server/http";
import { appRouter } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { checkDatabase } from "@/server/repo/health";

/**
 * The hot single-call mutations (every agent's report, its enrolment, and the bench's no-op on the same path). For these
 * the standalone adapter's Fetch-API translation (a Request, AbortSignals, web streams in and out) cost
 * more CPU than the procedure; here the body is read into one string and the SAME procedure is called
 * (middlewares, zod input and output, error formatter), and the answer is what tRPC would send.
 */
const LEAN_PATHS = new Set(["agent.report", "agent.enroll", "system.pingPost"]);

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
    const leanPath = url.startsWith("/api/trpc/") ? url.slice("/api/trpc/".length) : "";
    if (req.method === "POST" && LEAN_PATHS.has(leanPath) && req.headers["content-length"] !== undefined && isJson(req.headers["content-type"])) {
      void leanCall(req, res, leanPath, trpcHandler);
      return;
    }
    trpcHandler(req, res);
  });
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * One non-batched mutation, called directly. Anything unusual before the procedure runs (unparsable
 * JSON, a refused input shape, a body that is not what it declared) goes to the full tRPC handler with
 * the body already read (req.body, which the node adapter accepts), so every refusal is tRPC's own.
 */
async function leanCall(req: http.IncomingMessage, res: http.ServerResponse, path: string, fallback: Handler): Promise<void> {
  let text: string;
  try {
    text = await readBody(req);
  } catch {
    if (!res.headersSent) res.destroy();
    return;
  }
  const config = appRouter._def._config;
  let input: unknown;
  try {
    input = config.transformer.input.deserialize(JSON.parse(text));
  } catch {
    (req as http.IncomingMessage & { body?: string }).body = text;
    fallback(req, res);
    return;
  }
  const ctx = await createTrpcContext({ headers: toHeaders(req.headers), skipSession: true, viaHttp: true });
  let body: unknown;
  try {
    const data = await callTRPCProcedure({ router: appRouter, path, getRawInput: async () => input, ctx, type: "mutation", signal: undefined, batchIndex: 0 });
    body = { result: { data } };
  } catch (cause) {
    const error: TRPCError = getTRPCErrorFromUnknown(cause);
    body = { error: getErrorShape({ config, ctx, error, input, path, type: "mutation" }) };
  }
  const status = getHTTPStatusCode(body as Parameters<typeof getHTTPStatusCode>[0]);
  const json = JSON.stringify(transformTRPCResponse(config, body as Parameters<typeof transformTRPCResponse>[1]));
  res.writeHead(status, { vary: "trpc-accept, accept", "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  res.end(json);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
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
