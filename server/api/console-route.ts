/**
 * Rules of the console's tRPC route (app/api/trpc/[trpc]) that the agent API port does not need:
 * agent procedures are served on the agent port only (there, the report body limit and the lean
 * handler apply), benchmark-only procedures nowhere here, and every body has a bound.
 */

/**
 * The console's body bound: a cyclictest upload may hold 8 MiB of text (MAX_UPLOAD_CHARS), which
 * JSON escaping can grow (newlines, tabs); 20 MiB leaves room for that and nothing much more.
 * Agent reports never come through here (refused above), so their 1 MiB limit holds everywhere.
 */
export const CONSOLE_MAX_BODY_BYTES = 20 * 1024 * 1024;
const AGENT_ONLY = /^(agent\.|system\.pingPost$)/;

/** The procedure paths a tRPC URL names ("/api/trpc/a.b,c.d" for a batch). */
export function procedurePaths(url: string, endpoint = "/api/trpc"): string[] {
  const { pathname } = new URL(url);
  if (!pathname.startsWith(`${endpoint}/`)) return [];
  return decodeURIComponent(pathname.slice(endpoint.length + 1)).split(",");
}

/** A refusal (404) when the request names an agent-only procedure, else null. */
export function agentProcedureRefusal(req: Request): Response | null {
  const refused = procedurePaths(req.url).filter((p) => AGENT_ONLY.test(p));
  if (refused.length === 0) return null;
  return Response.json(
    { error: { message: `not found: ${refused.join(", ")} is served on the agent API port only`, code: "NOT_FOUND" } },
    { status: 404 },
  );
}

function tooLarge(bytes: number | null, maxBytes: number): Response {
  const size = bytes === null ? "request body" : `request body of ${bytes} bytes`;
  return Response.json({ error: { message: `${size} exceeds the limit of ${maxBytes} bytes`, code: "PAYLOAD_TOO_LARGE" } }, { status: 413 });
}

/**
 * The request with its body read under `maxBytes` (declared or chunked), or a 413. GET/HEAD pass
 * untouched. Reading stops at the limit: an oversized body is never held whole in memory.
 */
export async function withBodyLimit(req: Request, maxBytes: number): Promise<Request | Response> {
  if (req.method === "GET" || req.method === "HEAD" || !req.body) return req;
  const declared = Number(req.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge(declared, maxBytes);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return tooLarge(null, maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.byteLength;
  }
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal });
}
