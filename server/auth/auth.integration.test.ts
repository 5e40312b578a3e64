import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { handleAuthRequest } from "@/server/auth/auth-route";
import { csrfRefusal } from "@/server/auth/csrf";
import { getSessionUser, readCookie } from "@/server/auth/session";
import { disconnectPrisma } from "@/server/db";
import { parseEnv } from "@/server/env";
import { createUser, ensureFirstAdmin, seedDemoUsers, setUserRole } from "@/server/repo/users";

const BASE = "http://localhost:3000";

function signInRequest(email: string, password: string, origin = BASE): Request {
  return new Request(`${BASE}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin, host: "localhost:3000" },
    body: JSON.stringify({ email, password }),
  });
}

/** "name=value" pairs from Set-Cookie headers, as a browser would send them back. */
function cookieHeaderFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0] ?? "")
    .join("; ");
}

async function newUser(role: "viewer" | "operator" | "admin") {
  const email = `u-${randomUUID()}@example.test`;
  const password = `pw-${randomUUID()}`;
  const user = await createUser({ email, name: "Test", password, role, actor: "system" });
  return { ...user, password };
}

afterAll(async () => {
  await disconnectPrisma();
});

describe("email + password login through better-auth", () => {
  it("signs in, sets an HTTP-only SameSite=Lax session cookie, and getSessionUser resolves it", async () => {
    const u = await newUser("operator");
    const res = await handleAuthRequest(signInRequest(u.email, u.password));
    expect(res.status).toBe(200);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("nfvdeck.session_token="));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const user = await getSessionUser(new Headers({ cookie: cookieHeaderFrom(res) }));
    expect(user).toEqual({ id: u.id, email: u.email, name: "Test", role: "operator" });
  });

  it("refuses a wrong password with 401 and no session cookie", async () => {
    const u = await newUser("viewer");
    const res = await handleAuthRequest(signInRequest(u.email, "not-the-password"));
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("nfvdeck.session_token="))).toBe(false);
  });

  it("stores a slow scrypt hash, never the password", async () => {
    const u = await newUser("viewer");
    const { prisma } = await import("@/server/db");
    const account = await prisma().account.findFirstOrThrow({ where: { userId: u.id, providerId: "credential" } });
    expect(account.password).not.toContain(u.password);
    expect(account.password).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/); // salt:key (scrypt, 64-byte key)
  });

  it("refuses a sign-in posted from a foreign origin", async () => {
    const u = await newUser("viewer");
    const res = await handleAuthRequest(signInRequest(u.email, u.password, "https://evil.example"));
    expect(res.status).toBe(403);
  });

  it("ignores a tampered or unsigned session cookie", async () => {
    const u = await newUser("viewer");
    const res = await handleAuthRequest(signInRequest(u.email, u.password));
    const raw = readCookie(cookieHeaderFrom(res), "nfvdeck.session_token");
    expect(raw).toBeTruthy();
    const token = decodeURIComponent(raw ?? "").split(".")[0] ?? "";
    expect(await getSessionUser(new Headers({ cookie: `nfvdeck.session_token=${token}` }))).toBeNull();
    expect(await getSessionUser(new Headers({ cookie: `nfvdeck.session_token=${token}.${"A".repeat(43)}=` }))).toBeNull();
    expect(await getSessionUser(new Headers({ cookie: "nfvdeck.session_token=%E0%A4%A" }))).toBeNull();
    expect(await getSessionUser(new Headers())).toBeNull();
  });

  it("logs out: the session is deleted and the cookie no longer resolves", async () => {
    const u = await newUser("viewer");
    const cookie = cookieHeaderFrom(await handleAuthRequest(signInRequest(u.email, u.password)));
    expect(await getSessionUser(new Headers({ cookie }))).not.toBeNull();
    const out = await handleAuthRequest(
      new Request(`${BASE}/api/auth/sign-out`, {
        method: "POST",
        headers: { cookie, origin: BASE, "content-type": "application/json" },
        body: "{}",
      }),
    );
    expect(out.status).toBe(200);
    expect(await getSessionUser(new Headers({ cookie }))).toBeNull();
  });

  it("applies a role change on the next request", async () => {
    const u = await newUser("viewer");
    const cookie = cookieHeaderFrom(await handleAuthRequest(signInRequest(u.email, u.password)));
    await setUserRole({ userId: u.id, role: "operator", actor: "system" });
    expect((await getSessionUser(new Headers({ cookie })))?.role).toBe("operator");
  });

  it("answers 429 once a client address passes NFVDECK_SIGNIN_ATTEMPTS_PER_MINUTE (default 30), other addresses unaffected", async () => {
    const guess = (ip: string) => {
      const req = signInRequest("nobody@nfvdeck.local", "wrong-password-guess");
      req.headers.set("x-forwarded-for", ip);
      return handleAuthRequest(req);
    };
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await guess("203.0.113.7")).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect((await guess("203.0.113.8")).status).toBe(401);
  }, 60_000);

  it("has no self sign-up", async () => {
    const res = await handleAuthRequest(
      new Request(`${BASE}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE },
        body: JSON.stringify({ email: `x-${randomUUID()}@example.test`, password: "long-enough-pw", name: "x" }),
      }),
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe("bootstrap users", () => {
  it("ensureFirstAdmin is idempotent and keeps the password", async () => {
    const source = parseEnv({ NFVDECK_ADMIN_EMAIL: "First-Admin@example.test", NFVDECK_ADMIN_PASSWORD: "first-admin-password" });
    expect(await ensureFirstAdmin(parseEnv({}))).toBeNull();
    const first = await ensureFirstAdmin(source);
    const second = await ensureFirstAdmin({ ...source, NFVDECK_ADMIN_PASSWORD: "a-changed-password" });
    expect(first).toEqual({ email: "first-admin@example.test", created: true });
    expect(second).toEqual({ email: "first-admin@example.test", created: false });
    const res = await handleAuthRequest(signInRequest("first-admin@example.test", "first-admin-password"));
    expect(res.status).toBe(200);
    expect((await getSessionUser(new Headers({ cookie: cookieHeaderFrom(res) })))?.role).toBe("admin");
  });

  it("seedDemoUsers returns working credentials, also on a rerun", async () => {
    await seedDemoUsers();
    const creds = await seedDemoUsers();
    expect(creds.map((c) => c.role).sort()).toEqual(["admin", "operator", "viewer"]);
    for (const c of creds) {
      const res = await handleAuthRequest(signInRequest(c.email, c.password));
      expect(res.status).toBe(200);
      expect((await getSessionUser(new Headers({ cookie: cookieHeaderFrom(res) })))?.role).toBe(c.role);
    }
  });
});

describe("csrfRefusal (web tRPC route)", () => {
  const cookie = "nfvdeck.session_token=x";
  const post = (headers: Record<string, string>) =>
    new Request(`${BASE}/api/trpc/users.create`, { method: "POST", headers: { host: "localhost:3000", ...headers }, body: "{}" });
  it.each([
    ["same-origin JSON POST with cookie", post({ cookie, origin: BASE, "content-type": "application/json" }), null],
    ["own Host on another port", new Request("http://localhost:3100/api/trpc/x", { method: "POST", headers: { host: "localhost:3100", cookie, origin: "http://localhost:3100", "content-type": "application/json" }, body: "{}" }), null],
    ["cookie-less JSON POST (agent/bearer)", post({ "content-type": "application/json" }), null],
    ["GET query", new Request(`${BASE}/api/trpc/auth.me`, { headers: { cookie, origin: "https://evil.example" } }), null],
  ])("allows %s", (_name, req, expected) => {
    expect(csrfRefusal(req)).toBe(expected);
  });
  it.each([
    ["foreign origin", post({ cookie, origin: "https://evil.example", "content-type": "application/json" }), /origin https:\/\/evil.example/],
    ["no origin nor referer with cookie", post({ cookie, "content-type": "application/json" }), /no Origin/],
    ["form content type", post({ cookie, origin: BASE, "content-type": "application/x-www-form-urlencoded" }), /application\/json/],
    ["text/plain", post({ origin: BASE, "content-type": "text/plain" }), /application\/json/],
    ["foreign referer", post({ cookie, referer: "https://evil.example/page", "content-type": "application/json" }), /not trusted/],
    ["PUT", new Request(`${BASE}/api/trpc/x`, { method: "PUT", headers: { cookie }, body: "{}" }), /not allowed/],
  ])("refuses %s", (_name, req, expected) => {
    expect(csrfRefusal(req)).toMatch(expected);
  });
});
