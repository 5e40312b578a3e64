import { randomBytes } from "node:crypto";
import { betterAuth } from "better-auth";
import { env } from "@/server/env";
import { authDatabaseAdapter } from "@/server/repo/auth-store";
import { trustedOriginsFor } from "@/server/auth/trusted-origins";

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

function createAuth() {
  return betterAuth({
    appName: "nfvdeck",
    baseURL: env().NFVDECK_PUBLIC_URL,
    basePath: "/api/auth",
    secret: authSecret(),
    database: authDatabaseAdapter(),
    telemetry: { enabled: false },
    // The configured origin(s); loopback ones only when the console is configured on loopback.
    trustedOrigins: (request) => trustedOriginsFor(request),
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
      customRules: { "/sign-in/email": { window: 60, max: env().NFVDECK_SIGNIN_ATTEMPTS_PER_MINUTE } },
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
