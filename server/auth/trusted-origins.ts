import { env } from "@/server/env";

/**
 * Which browser origins may send credentials and cookie-authenticated mutations (CSRF): the
 * configured public origin(s) — NFVDECK_PUBLIC_URL plus NFVDECK_TRUSTED_ORIGINS — and nothing else.
 * Loopback is trusted only when the configured origin is itself loopback (a console run on this
 * machine): then its aliases (localhost / 127.0.0.1 / [::1], same port) and the loopback origin a
 * request was addressed to (tests and dev servers on other ports) are trusted too.
 */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function isLoopback(origin: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

function loopbackAliases(origin: string): string[] {
  const u = new URL(origin);
  return [...LOOPBACK_HOSTS].map((h) => `${u.protocol}//${h}${u.port ? `:${u.port}` : ""}`);
}

/** Pure: the trusted set for configured origins and (optionally) the origin a request was addressed to. */
export function trustedOriginSet(configured: readonly string[], requestOwn: string | null): Set<string> {
  const trusted = new Set<string>();
  for (const origin of configured) {
    trusted.add(origin);
    if (isLoopback(origin)) for (const alias of loopbackAliases(origin)) trusted.add(alias);
  }
  if (requestOwn && isLoopback(requestOwn) && configured.some(isLoopback)) trusted.add(requestOwn);
  return trusted;
}

/** The configured origins (validated by server/env.ts). */
export function configuredOrigins(): string[] {
  const e = env();
  return [...new Set([new URL(e.NFVDECK_PUBLIC_URL).origin, ...e.NFVDECK_TRUSTED_ORIGINS])];
}

/** The origin a request was addressed to (its Host header), e.g. "http://localhost:3100". */
export function requestOwnOrigin(request: Request | undefined): string | null {
  if (!request) return null;
  const host = request.headers.get("host");
  if (!host || !/^[A-Za-z0-9.\-:[\]]+$/.test(host)) return null;
  const proto = new URL(request.url).protocol;
  return `${proto}//${host}`;
}

/** The origins trusted for this request. */
export function trustedOriginsFor(request: Request | undefined): string[] {
  return [...trustedOriginSet(configuredOrigins(), requestOwnOrigin(request))];
}
