import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
// Type-only: no server runtime code may reach the agent bundle (build.ts checks that).
import type { AppRouter } from "@/server/api/root";
import type { ReportOutput, ReportPayload } from "@/server/contract/report";

export interface AgentApiOptions {
  /** e.g. http://127.0.0.1:3001 (the ingest server) — /api/trpc is appended */
  server: string;
  /** bearer host token; absent only for enrol */
  hostToken?: string;
  /** per-request timeout */
  timeoutMs?: number;
}

export interface EnrollRequest {
  enrollmentToken: string;
  hostname: string;
  agentVersion: string;
}

export interface AgentApi {
  enroll(input: EnrollRequest): Promise<{ hostId: string; hostToken: string }>;
  report(payload: ReportPayload): Promise<ReportOutput>;
}

export function trpcUrl(server: string): string {
  return `${server.replace(/\/+$/, "")}/api/trpc`;
}

/** The agent's view of the API: agent.enroll and agent.report over tRPC (superjson, like the server). */
export function createAgentApi(opts: AgentApiOptions): AgentApi {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: trpcUrl(opts.server),
        transformer: superjson,
        headers: () => (opts.hostToken ? { authorization: `Bearer ${opts.hostToken}` } : {}),
        // Every request gets a deadline: a half-open connection must not stall the spool forever.
        fetch: (url, init) => {
          const timeout = AbortSignal.timeout(timeoutMs);
          const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
          return fetch(url, { ...(init as RequestInit), signal });
        },
      }),
    ],
  });
  return {
    enroll: (input) => client.agent.enroll.mutate(input),
    report: (payload) => client.agent.report.mutate(payload),
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
