/**
 * Who calls the API in integration tests: a real user of a role signed in through better-auth (cookie),
 * or an enrolled host's agent (bearer token). Everything goes through the real context builder, so the
 * role and host checks under test are the production ones.
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { createCaller } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { handleAuthRequest } from "@/server/auth/auth-route";
import type { Role } from "@/server/auth/session-user";
import { createEnrollmentToken, enrollHost } from "@/server/repo/enrollment";
import { createUser } from "@/server/repo/users";

export type Caller = ReturnType<typeof createCaller>;

/** Creates a fresh user of `role`, signs in with email + password, returns the session cookie headers. */
export async function signInAs(role: Role): Promise<Headers> {
  const email = `${role}-${randomUUID()}@example.test`;
  const password = `pw-${randomUUID()}`;
  await createUser({ email, name: role, password, role, actor: "system" });
  const res = await handleAuthRequest(
    new Request("http://localhost:3000/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:3000" },
      body: JSON.stringify({ email, password }),
    }),
  );
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").join("; ");
  return new Headers({ cookie });
}

/** A tRPC caller with the context a request carrying `headers` gets. */
export async function callerWith(headers: Headers): Promise<Caller> {
  return createCaller(await createTrpcContext({ headers }));
}

/** A caller signed in as a fresh user of `role`. */
export async function signedInCaller(role: Role): Promise<Caller> {
  return callerWith(await signInAs(role));
}

/** An agent's caller: the host token as a bearer token. */
export async function agentCaller(hostToken: string): Promise<Caller> {
  return callerWith(new Headers({ authorization: `Bearer ${hostToken}` }));
}

/** Enrols a host under exactly `hostname` with a fresh one-time token; returns its id and host token. */
export async function enrolHost(hostname: string, opts: { note: string; agentVersion?: string }): ReturnType<typeof enrollHost> {
  const { token } = await createEnrollmentToken({ createdById: null, note: opts.note, ttlHours: 1 });
  return enrollHost({ enrollmentToken: token, hostname, agentVersion: opts.agentVersion ?? "0.0.0-test" });
}

/** `${name}-xxxxxxxx`: a hostname no other test (or earlier run against the same database) uses. */
export function uniqueHostname(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}
