import { createHmac, timingSafeEqual } from "node:crypto";
import { auth, authSecret } from "@/server/auth/auth";
import type { SessionUser } from "@/server/auth/session-user";
import { findSessionUserByToken } from "@/server/repo/users";

/** Reads one cookie from a Cookie header without a dependency (names are not URL-encoded). */
export function readCookie(cookieHeader: string | null, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * better-auth's session cookie is `encodeURIComponent(token + "." + base64(HMAC-SHA256(secret, token)))`.
 * Returns the token when the signature is valid, else null.
 */
export function verifySignedCookieValue(raw: string, secret: string): string | null {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return null;
  }
  const dot = value.lastIndexOf(".");
  if (dot < 1) return null;
  const token = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), "base64");
  const expected = createHmac("sha256", secret).update(token).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return token;
}

let cookieName: Promise<string> | undefined;
async function sessionCookieName(): Promise<string> {
  cookieName ??= auth().$context.then((ctx) => ctx.authCookies.sessionToken.name);
  return cookieName;
}

/**
 * The signed-in user for a request, from better-auth's session cookie: signature checked in
 * memory, then one indexed lookup (session ⋈ user). Called for every web tRPC request and page,
 * so it deliberately skips better-auth's getSession (two queries plus a possible refresh write).
 */
export async function getSessionUser(headers: Headers): Promise<SessionUser | null> {
  const raw = readCookie(headers.get("cookie"), await sessionCookieName());
  if (!raw) return null;
  const token = verifySignedCookieValue(raw, authSecret());
  if (!token) return null;
  return findSessionUserByToken(token, new Date());
}
