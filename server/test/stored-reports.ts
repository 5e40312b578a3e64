import type http from "node:http";

export type StoredReport = { key: string; sequence: number };

const storedByHost = new Map<string, StoredReport[]>();

/**
 * Records, per host and in answer order, every report the agent API answered as stored (not a
 * duplicate). A heartbeat writes no report-log row (it is its host's Host.lastSequence), so end-to-end
 * tests see "every report once, in order" here, from the server's own answers.
 */
export function recordStoredReports<S extends http.Server>(server: S): S {
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== "POST" || !req.url?.startsWith("/api/trpc/agent.report")) return;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
    res.end = ((...args: unknown[]) => {
      const [chunk] = args;
      if (res.statusCode === 200 && (typeof chunk === "string" || Buffer.isBuffer(chunk))) record(Buffer.concat(chunks).toString("utf8"), chunk.toString());
      return end(...args);
    }) as typeof res.end;
  });
  return server;
}

function record(requestText: string, responseText: string): void {
  try {
    const input = (JSON.parse(requestText) as { json?: { hostId?: unknown; idempotencyKey?: unknown; sequence?: unknown } }).json;
    const output = JSON.parse(responseText) as { result?: { data?: { json?: { stored?: unknown } } } };
    if (output.result?.data?.json?.stored !== true || typeof input?.hostId !== "string") return;
    const list = storedByHost.get(input.hostId) ?? [];
    list.push({ key: String(input.idempotencyKey), sequence: Number(input.sequence) });
    storedByHost.set(input.hostId, list);
  } catch {
    // not a report this recorder understands: nothing stored to record
  }
}

/** The reports stored for a host so far, in the order the server answered them. */
export function storedReports(hostId: string): StoredReport[] {
  return [...(storedByHost.get(hostId) ?? [])];
}
