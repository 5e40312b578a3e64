import { randomBytes } from "node:crypto";
import { initTRPC, TRPCError } from "@trpc/server";
import { assertSafeInputShape, guardedSuperjson } from "@/server/api/input-guard";
import { ZodError } from "zod";
import { roleAtLeast, type Role, type SessionUser } from "@/server/auth/session-user";
import { getSessionUser } from "@/server/auth/session";
import { findHostByToken } from "@/server/repo/host-auth";
import { isDatabaseUnavailable } from "@/server/repo/db-errors";
import { DomainError, type DomainErrorCode } from "@/server/errors";

export type AgentIdentity = { hostId: string };

export type TrpcContext = {
  headers: Headers;
  /** the signed-in user, if any */
  user: SessionUser | null;
  /** resolved lazily: only agent procedures pay for the token lookup */
  agent: () => Promise<AgentIdentity | null>;
  /** true when the input came over HTTP, where the transformer already ran the input guard */
  viaHttp: boolean;
};

function bearerToken(headers: Headers): string | null {
  const h = headers.get("authorization");
  if (!h) return null;
  const m = /^Bearer\s+([A-Za-z0-9._~+/=-]{16,512})$/.exec(h.trim());
  return m?.[1] ?? null;
}

/** `viaHttp`: set by the HTTP adapters (their input went through the guarded transformer). */
export async function createTrpcContext(opts: { headers: Headers; skipSession?: boolean; viaHttp?: boolean }): Promise<TrpcContext> {
  const token = bearerToken(opts.headers);
  // Agents never carry a session cookie; skip the session lookup for them (ingest hot path).
  const user = token || opts.skipSession ? null : await getSessionUser(opts.headers);
  let agentPromise: Promise<AgentIdentity | null> | undefined;
  return {
    headers: opts.headers,
    user,
    viaHttp: opts.viaHttp ?? false,
    agent: () => {
      agentPromise ??= token ? findHostByToken(token) : Promise.resolve(null);
      return agentPromise;
    },
  };
}

/**
 * What a client learns of an unexpected error: "internal error" and an id to quote. The error
 * itself (SQL, stack, other hosts' rows in a failed batch) is logged here, server-side only.
 */
function internalErrorShape(path: string | undefined, error: TRPCError): { message: string; correlationId: string } {
  const correlationId = randomBytes(6).toString("hex");
  console.error(`nfvdeck: internal error ${correlationId} in ${path ?? "(no procedure)"}:`, error.cause ?? error);
  return { message: `internal error (id ${correlationId})`, correlationId };
}

const t = initTRPC.context<TrpcContext>().create({
  // superjson, plus a guard against prototype keys, deep nesting and unstorable strings (server/api/input-guard.ts)
  transformer: guardedSuperjson,
  errorFormatter({ shape, error, path }) {
    if (error.code === "INTERNAL_SERVER_ERROR") {
      const { message, correlationId } = internalErrorShape(path, error);
      return { message, code: shape.code, data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path, correlationId } };
    }
    const zodIssues =
      error.cause instanceof ZodError
        ? error.cause.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }))
        : undefined;
    // no stack in any response, not even an empty key
    const data: Partial<typeof shape.data> & { zodIssues?: typeof zodIssues } = { ...shape.data, zodIssues };
    delete data.stack;
    return { ...shape, data };
  },
});

const TRPC_CODE: Record<DomainErrorCode, TRPCError["code"]> = {
  NOT_FOUND: "NOT_FOUND",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHORIZED: "UNAUTHORIZED",
  CONFLICT: "CONFLICT",
  INVALID: "BAD_REQUEST",
  TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

/** The single place where DomainError becomes a tRPC error; anything else unexpected stays a 500 with no detail leaked (errorFormatter). */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
  }
  // A database outage is not the request's fault: 503, so agents retry (and no driver text leaks).
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR" && isDatabaseUnavailable(result.error.cause)) {
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "database unavailable, retry later", cause: result.error.cause });
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
/** The same guard for in-process callers (createCaller), whose input skips the transformer. */
const refuseHostileInput = t.middleware(async ({ ctx, getRawInput, next }) => {
  if (!ctx.viaHttp) assertSafeInputShape(await getRawInput());
  return next();
});

export const publicProcedure = t.procedure.use(mapDomainErrors).use(refuseHostileInput);

function requireRole(role: Role) {
  return publicProcedure.use(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
    if (!roleAtLeast(ctx.user.role, role)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `requires role ${role}` });
    }
    return next({ ctx: { ...ctx, user: ctx.user } });
  });
}

export const viewerProcedure = requireRole("viewer");
export const operatorProcedure = requireRole("operator");
export const adminProcedure = requireRole("admin");

/** Bearer host token; the procedure receives the host it belongs to. */
export const agentProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const agent = await ctx.agent();
  if (!agent) throw new TRPCError({ code: "UNAUTHORIZED", message: "missing or unknown host token" });
  return next({ ctx: { ...ctx, hostId: agent.hostId } });
});
