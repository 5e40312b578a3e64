import { randomBytes } from "node:crypto";
import { betterAuth } from "better-auth";
import { env } from "@/server/env";
import { authDatabaseAdapter } from "@/server/repo/auth-store";

/** Sessions last a week and slide forward at most once a day (one write per user per day). */
const SESSION_SECONDS = 7 * 24 * 3600;
const SESSION_UPDATE_SECONDS = 24 * 3600;

const globalForAuth = globalThis as unknown as { nfvdeckAuth?: ReturnType<typeof createAuth>; nfvdeckAuthSecret?: string };

/**
 * The signing secret. The launcher (demo/start) provides NFVDECK_AUTH_SECRET; without it a random
 * per-process secret is used (sessions then end with the process), never a guessable default.
 * Kept on globalThis so every Next bundle layer in the process agrees on it.
 */
export function authSecret(): string {
  const configured = env().NFVDECK_AUTH_SECRET;
  if (configured) return configured;
  if (!globalForAuth.nfvdeckAuthSecret) {
    if (env().NODE_ENV === "production") {
      console.warn("nfvdeck: NFVDECK_AUTH_SECRET is not set; using a random secret, sessions end when the process does");
    }
    globalForAuth.nfvdeckAuthSecret = randomBytes(32).toString("base64url");
  }
  return globalForAuth.nfvdeckAuthSecret;
}

/** Origins allowed to post credentials and cookie-authenticated mutations. */
export function trustedOrigins(): string[] {
  const configured = new URL(env().NFVDECK_PUBLIC_URL).origin;
  return [...new Set([configured, "http://localhost:3000", "http://127.0.0.1:3000"])];
}

/** The origin a request was addressed to (its Host header), e.g. "http://localhost:3100". */
export function requestOwnOrigin(request: Request | undefined): string | null {
  if (!request) return null;
  const host = request.headers.get("host");
  if (!host || !/^[A-Za-z0-9.\-:[\]]+$/.test(host)) return null;
  const proto = new URL(request.url).protocol;
  return `${proto}//${host}`;
}

function createAuth() {
  return betterAuth({
    appName: "nfvdeck",
    baseURL: env().NFVDECK_PUBLIC_URL,
    basePath: "/api/auth",
    secret: authSecret(),
    database: authDatabaseAdapter(),
    telemetry: { enabled: false },
    // Same-origin requests are trusted on whatever port the app runs (tests start it on others).
    trustedOrigins: (request) => [...trustedOrigins(), requestOwnOrigin(request)],
    emailAndPassword: {
      enabled: true,
      // Accounts are created by admins (server/repo/users.ts), never by self sign-up.
      disableSignUp: true,
      minPasswordLength: 8,
      maxPasswordLength: 256,
    },
    user: {
      additionalFields: {
        role: { type: "string", required: false, defaultValue: "viewer", input: false },
      },
    },
    session: { expiresIn: SESSION_SECONDS, updateAge: SESSION_UPDATE_SECONDS },
    rateLimit: {
      enabled: true,
      window: 60,
      max: 200,
      customRules: { "/sign-in/email": { window: 60, max: 30 } },
    },
    advanced: {
      cookiePrefix: "nfvdeck",
      // Secure (and the __Secure- prefix) exactly when the public URL is https.
      useSecureCookies: env().NFVDECK_PUBLIC_URL.startsWith("https://"),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", path: "/" },
    },
  });
}

export function auth() {
  globalForAuth.nfvdeckAuth ??= createAuth();
  return globalForAuth.nfvdeckAuth;
}
