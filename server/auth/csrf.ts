import { trustedOriginsFor } from "@/server/auth/trusted-origins";

/**
 * CSRF defence for cookie-authenticated tRPC calls over the web route: a mutation must be a POST
 * with a JSON body (no HTML form can send application/json cross-site without a CORS preflight),
 * and, when it carries cookies, its Origin (or Referer) must be ours. Bearer-token (agent)
 * requests carry no ambient credentials and are not subject to the origin check.
 * Returns a refusal message, or null when the request may proceed.
 */
export function csrfRefusal(req: Request): string | null {
  if (req.method === "GET" || req.method === "HEAD") return null;
  if (req.method !== "POST") return `method ${req.method} is not allowed`;
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) return "mutations must be sent as application/json";
  const hasCookies = (req.headers.get("cookie") ?? "").trim() !== "";
  if (!hasCookies) return null;
  const origin = req.headers.get("origin") ?? originOfReferer(req.headers.get("referer"));
  if (!origin) return "cross-site request refused: no Origin header on a cookie-authenticated mutation";
  if (!isTrustedOrigin(req, origin)) return `cross-site request refused: origin ${origin} is not trusted`;
  return null;
}

/** Our configured origin(s) (server/auth/trusted-origins.ts). */
export function isTrustedOrigin(req: Request, origin: string): boolean {
  return trustedOriginsFor(req).includes(origin);
}

/**
 * For /api/auth/*: better-auth checks Origin only when cookies are present; we also refuse a
 * credential POST from a foreign page (login CSRF: signing a victim into the attacker's account).
 */
export function authPostRefusal(req: Request): string | null {
  if (req.method !== "POST") return null;
  const origin = req.headers.get("origin");
  if (origin && !isTrustedOrigin(req, origin)) return `cross-site request refused: origin ${origin} is not trusted`;
  return null;
}

function originOfReferer(referer: string | null): string | null {
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

