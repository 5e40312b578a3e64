import { createTRPCClient, TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import superjson from "superjson";
// Type-only: no server runtime code may reach the agent bundle (build.ts checks that).
import type { AppRouter } from "@/server/api/root";
import type { ReportOutput, ReportPayload } from "@/server/contract/report";
import type { AgentFinishJob, AgentJobLease, AgentJobOffer, JobJson, JobState } from "@/server/contract/job";
import { httpFetch } from "@/agent/transport/http-fetch";
import { transportProblem, type PinnedTls } from "@/agent/transport/tls-pin";

export interface AgentApiOptions {
  /** e.g. http://127.0.0.1:3001 (the ingest server) — /api/trpc is appended */
  server: string;
  /** bearer host token; absent only for enrol */
  hostToken?: string;
  /** per-request timeout */
  timeoutMs?: number;
  /** the pinned server CA; required for https (plain http only to 127.0.0.1) */
  tls?: PinnedTls;
}

export interface EnrollRequest {
  enrollmentToken: string;
  hostname: string;
  agentVersion: string;
}

export interface AgentApi {
  enroll(input: EnrollRequest): Promise<{ hostId: string; hostToken: string }>;
  report(payload: ReportPayload): Promise<ReportOutput>;
  /** long-poll for this host's next job (claimed for it), null after waitMs */
  nextJob(waitMs: number, signal?: AbortSignal): Promise<AgentJobOffer | null>;
  startJob(jobId: string): Promise<AgentJobLease>;
  renewJob(jobId: string, progress: JobJson | null): Promise<AgentJobLease>;
  finishJob(input: AgentFinishJob): Promise<{ state: JobState }>;
}

export function trpcUrl(server: string): string {
  return `${server.replace(/\/+$/, "")}/api/trpc`;
}

/**
 * True when `value` is plain JSON that superjson would pass through without annotations: null, strings,
 * booleans, finite numbers other than -0, arrays and plain objects without undefined members, no object
 * reached twice (superjson records shared references) and no prototype-polluting key (superjson throws).
 */
export function isPlainJson(value: unknown, seen: Set<object> = new Set()): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== "object") return false;
  if (seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !isPlainJson(value[i], seen)) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(value)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") return false;
    if (!isPlainJson((value as Record<string, unknown>)[key], seen)) return false;
  }
  return true;
}

/**
 * The request body superjson would produce. A report read back from the spool is plain JSON, for which
 * superjson's output is just `{"json": value}`; its generic walker (a path array and a dozen type probes
 * per value) was the dearest step of a heartbeat. Anything else still goes through superjson.
 */
export function serializeTrpcInput(input: unknown): string {
  return JSON.stringify(isPlainJson(input) ? { json: input } : superjson.serialize(input));
}

/**
 * tRPC's non-batched HTTP protocol (POST /api/trpc/<path>, superjson body; `{result:{data}}` or
 * `{error}` back) over node:http. Why not httpLink: it probes `input instanceof FormData`, and merely
 * touching that global makes node load undici and compile its WebAssembly HTTP parser — megabytes of
 * RSS for one small request per heartbeat, and a crash under --lite-mode (no WebAssembly).
 */
function agentHttpLink(opts: { url: string; headers: () => Record<string, string>; timeoutMs: number; tls?: PinnedTls }): TRPCLink<AppRouter> {
  return () =>
    ({ op }) =>
      observable((observer) => {
        const abort = new AbortController();
        const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(opts.timeoutMs)]);
        let meta: { response: { status: number } } | undefined;
        (async () => {
          if (op.type === "subscription") throw new Error("subscriptions are not supported by the agent link");
          const res = await httpFetch(`${opts.url}/${op.path}`, {
            method: op.type === "query" ? "GET" : "POST",
            headers: { "content-type": "application/json", ...opts.headers() },
            body: op.type === "query" ? undefined : serializeTrpcInput(op.input),
            signal,
            tls: opts.tls,
          });
          meta = { response: { status: res.status } };
          const body = (await res.json()) as { result?: { data?: unknown }; error?: unknown };
          if (body.error !== undefined) {
            const shape = superjson.deserialize(body.error as Parameters<typeof superjson.deserialize>[0]);
            observer.error(TRPCClientError.from(shape ? { error: shape } : new Error(`HTTP ${res.status}`), { meta }) as TRPCClientError<AppRouter>);
            return;
          }
          if (!res.ok || !body.result) throw new Error(`HTTP ${res.status}: not a tRPC response`);
          const data = superjson.deserialize(body.result.data as Parameters<typeof superjson.deserialize>[0]);
          observer.next({ result: { type: "data", data }, context: {} });
          observer.complete();
        })().catch((cause: unknown) => observer.error(TRPCClientError.from(cause instanceof Error ? cause : new Error(String(cause)), { meta })));
        return () => abort.abort();
      });
}

/** The agent's view of the API: agent.enroll and agent.report over tRPC (superjson, like the server). */
export function createAgentApi(opts: AgentApiOptions): AgentApi {
  // a host token never travels in clear on a network, nor to a server whose CA is not the pinned one
  const problem = transportProblem(opts.server, opts.tls !== undefined);
  if (problem) throw new Error(problem);
  const headers = (): Record<string, string> => (opts.hostToken ? { authorization: `Bearer ${opts.hostToken}` } : {});
  const client = createTRPCClient<AppRouter>({
    links: [
      agentHttpLink({
        url: trpcUrl(opts.server),
        headers,
        tls: opts.tls,
        // Every request gets a deadline: a half-open connection must not stall the spool forever.
        timeoutMs: opts.timeoutMs ?? 15_000,
      }),
    ],
  });
  // The job long-poll waits up to 30 s on the server: its deadline is longer than a report's.
  const longPoll = createTRPCClient<AppRouter>({
    links: [agentHttpLink({ url: trpcUrl(opts.server), headers, tls: opts.tls, timeoutMs: 30_000 + (opts.timeoutMs ?? 15_000) })],
  });
  return {
    enroll: (input) => client.agent.enroll.mutate(input),
    report: (payload) => client.agent.report.mutate(payload),
    nextJob: async (waitMs, signal) => (await longPoll.agent.jobs.next.mutate({ waitMs }, { signal })).job,
    startJob: (jobId) => client.agent.jobs.start.mutate({ jobId }),
    renewJob: (jobId, progress) => client.agent.jobs.renew.mutate({ jobId, progress }),
    finishJob: (input) => client.agent.jobs.finish.mutate(input),
  };
}

/**
 * What to do with a report the server did not take:
 * - "retry": no answer (network down, timeout), 408/429/5xx, or an auth failure (a token fixed on the
 *   server side must find the reports still here) — keep it, back off, try again;
 * - "reject": any other 4xx (the report itself is invalid or too large) — resending cannot help, and
 *   keeping it would block every later report; drop it and count it.
 */
export type DeliveryFailure = { action: "retry" | "reject"; status: number | null; message: string };

export function classifyDeliveryError(err: unknown): DeliveryFailure {
  const message = err instanceof Error ? err.message : String(err);
  let status: number | null = null;
  if (err instanceof TRPCClientError) {
    const data = (err as TRPCClientError<AppRouter>).data as { httpStatus?: unknown } | undefined;
    const meta = err.meta as { response?: { status?: unknown } } | undefined;
    const s = data?.httpStatus ?? meta?.response?.status;
    status = typeof s === "number" ? s : null;
  }
  if (status === null) return { action: "retry", status, message };
  if (status === 401 || status === 403 || status === 408 || status === 429 || status >= 500) return { action: "retry", status, message };
  if (status >= 400) return { action: "reject", status, message };
  return { action: "retry", status, message };
}
