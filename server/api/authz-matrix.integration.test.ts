import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCaller } from "@/server/api/root";
import { AUTHZ_TABLE, type Access, type AuthzFixtures } from "@/server/api/authz-table";
import { createTrpcContext } from "@/server/api/trpc";
import { roleAtLeast, type Role } from "@/server/auth/session-user";
import { disconnectPrisma } from "@/server/db";
import { createEnrollmentToken } from "@/server/repo/enrollment";
import { createUser } from "@/server/repo/users";
import { enrolHost, signInAs } from "@/server/test/callers";

const CALLERS = ["anonymous", "viewer", "operator", "admin", "foreignAgent", "ownAgent"] as const;
type CallerName = (typeof CALLERS)[number];
type Outcome = "allowed" | "UNAUTHORIZED" | "FORBIDDEN";

/** The intended outcome for each kind of access and caller. */
function expectedOutcome(access: Access, caller: CallerName): Outcome {
  if (access === "public") return "allowed";
  const isAgent = caller === "foreignAgent" || caller === "ownAgent";
  if (access === "agent" || access === "agent-any") {
    if (!isAgent) return "UNAUTHORIZED";
    if (access === "agent" && caller === "foreignAgent") return "FORBIDDEN";
    return "allowed";
  }
  if (caller === "anonymous" || isAgent) return "UNAUTHORIZED";
  return roleAtLeast(caller as Role, access) ? "allowed" : "FORBIDDEN";
}

const procedures = appRouter._def.procedures as Record<string, unknown>;
const procedurePaths = Object.keys(procedures).sort();

const headersFor = {} as Record<CallerName, Headers>;
let fixtures: AuthzFixtures;

beforeAll(async () => {
  const own = await enrolHost("matrix-own", { note: "authz", agentVersion: "0.0.0" });
  const foreign = await enrolHost("matrix-foreign", { note: "authz", agentVersion: "0.0.0" });
  const target = await createUser({ email: `target-${randomUUID()}@example.test`, name: "Target", password: "target-password-1", role: "viewer", actor: "system" });
  headersFor.anonymous = new Headers();
  headersFor.viewer = await signInAs("viewer");
  headersFor.operator = await signInAs("operator");
  headersFor.admin = await signInAs("admin");
  headersFor.foreignAgent = new Headers({ authorization: `Bearer ${foreign.hostToken}` });
  headersFor.ownAgent = new Headers({ authorization: `Bearer ${own.hostToken}` });
  fixtures = {
    hostId: own.hostId,
    targetUserId: target.id,
    newEnrollmentToken: async () => (await createEnrollmentToken({ createdById: null, note: "authz", ttlHours: 1 })).token,
    unique: () => randomUUID(),
  };
});

afterAll(async () => {
  await disconnectPrisma();
});

/** Calls `path` through createCaller with the caller's real context; returns what happened. */
async function callAs(caller: CallerName, path: string): Promise<{ outcome: Outcome | "other-error"; detail: string }> {
  const entry = AUTHZ_TABLE[path];
  if (!entry) throw new Error(`no table entry for ${path}`);
  const ctx = await createTrpcContext({ headers: headersFor[caller] });
  const input = entry.input ? await entry.input(fixtures) : undefined;
  let fn: unknown = createCaller(ctx);
  for (const segment of path.split(".")) fn = (fn as Record<string, unknown>)[segment];
  try {
    await (fn as (input: unknown) => Promise<unknown>)(input);
    return { outcome: "allowed", detail: "ok" };
  } catch (e) {
    if (!(e instanceof TRPCError)) return { outcome: "other-error", detail: String(e) };
    if (e.code === "UNAUTHORIZED" || e.code === "FORBIDDEN") return { outcome: e.code, detail: e.message };
    // Past the guard: an input or domain error is an "allowed" call; a 500 is a bug either way.
    if (e.code === "INTERNAL_SERVER_ERROR") return { outcome: "other-error", detail: `${e.code}: ${e.message}` };
    return { outcome: "allowed", detail: `${e.code}: ${e.message}` };
  }
}

describe("authorisation matrix", () => {
  it("covers every procedure of appRouter, and only those", () => {
    const missing = procedurePaths.filter((p) => !(p in AUTHZ_TABLE));
    const stale = Object.keys(AUTHZ_TABLE).filter((p) => !(p in procedures));
    expect(missing, "procedures without an entry in server/api/authz-table.ts").toEqual([]);
    expect(stale, "entries in server/api/authz-table.ts naming no procedure").toEqual([]);
  });

  it("finds the procedures (the router enumeration works)", () => {
    expect(procedurePaths).toContain("users.create");
    expect(procedurePaths).toContain("agent.report");
  });

  const cases = procedurePaths.flatMap((path) => CALLERS.map((caller) => [path, caller] as const));
  it.each(cases)("%s as %s", async (path, caller) => {
    const entry = AUTHZ_TABLE[path];
    expect(entry, `add "${path}" to server/api/authz-table.ts`).toBeDefined();
    if (!entry) return;
    const expected = expectedOutcome(entry.access, caller);
    const { outcome, detail } = await callAs(caller, path);
    expect(outcome, `${path} as ${caller} (${detail})`).toBe(expected);
  });
});

describe("expectedOutcome (the table's semantics)", () => {
  it.each([
    ["public", "anonymous", "allowed"],
    ["viewer", "anonymous", "UNAUTHORIZED"],
    ["viewer", "viewer", "allowed"],
    ["operator", "viewer", "FORBIDDEN"],
    ["operator", "admin", "allowed"],
    ["admin", "operator", "FORBIDDEN"],
    ["admin", "ownAgent", "UNAUTHORIZED"],
    ["agent", "admin", "UNAUTHORIZED"],
    ["agent", "foreignAgent", "FORBIDDEN"],
    ["agent", "ownAgent", "allowed"],
    ["agent-any", "foreignAgent", "allowed"],
  ] as const)("%s called by %s → %s", (access, caller, outcome) => {
    expect(expectedOutcome(access, caller)).toBe(outcome);
  });
});
