import { hash, randomBytes } from "node:crypto";
import { pgPool } from "@/server/db";
import { DomainError } from "@/server/errors";

/** sha256 hex; the one-shot crypto.hash (no Hash object per call) is ~3× cheaper, and every report pays it. */
export function hashToken(token: string): string {
  return hash("sha256", token, "hex");
}

/** 256-bit random token, URL-safe. */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

// Token → host lookups are cached: every heartbeat would otherwise cost a query. A deleted host's
// token keeps working for at most KNOWN_TTL_MS in other processes (this one forgets it at once).
const KNOWN_TTL_MS = 5 * 60_000;
// Unknown tokens are cached briefly too, so a flood of bad tokens cannot hammer the database.
const UNKNOWN_TTL_MS = 10_000;
const tokenCache = new Map<string, { at: number; hostId: string | null }>();

// Cache misses arriving together (a fleet restarting) are looked up in one query.
type Waiter = { resolve: (hostId: string | null) => void; reject: (e: unknown) => void };
let pending: Map<string, Waiter[]> | null = null;

function lookupBatched(tokenHash: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    if (!pending) {
      pending = new Map();
      setTimeout(() => void flushLookups(), 1);
    }
    const waiters = pending.get(tokenHash) ?? [];
    waiters.push({ resolve, reject });
    pending.set(tokenHash, waiters);
  });
}

async function flushLookups() {
  const batch = pending;
  pending = null;
  if (!batch) return;
  let found = new Map<string, string>();
  try {
    // plain pg, planned once per connection: after a restart every agent's first report misses the cache, and
    // the ORM's query compiler cost more than the lookup itself
    const { rows } = await pgPool().query<{ id: string; tokenHash: string }>({
      name: "host-by-token-hashes",
      text: `select id, "tokenHash" from "Host" where "tokenHash" = any($1::text[])`,
      values: [[...batch.keys()]],
    });
    found = new Map(rows.map((r) => [r.tokenHash, r.id]));
  } catch (e) {
    // Database down: "unavailable" (503), never "unknown token" (401) — the agent retries, and its
    // token stays valid. Nothing is cached.
    const unavailable = new DomainError("UNAVAILABLE", "database unavailable, retry later");
    console.error("nfvdeck: host token lookup failed:", e);
    for (const waiters of batch.values()) for (const w of waiters) w.reject(unavailable);
    return;
  }
  const now = Date.now();
  if (tokenCache.size > 200_000) tokenCache.clear();
  for (const [hash, waiters] of batch) {
    const hostId = found.get(hash) ?? null;
    tokenCache.set(hash, { at: now, hostId });
    for (const w of waiters) w.resolve(hostId);
  }
}

export async function findHostByToken(token: string): Promise<{ hostId: string } | null> {
  const tokenHash = hashToken(token);
  const hit = tokenCache.get(tokenHash);
  if (hit && Date.now() - hit.at < (hit.hostId ? KNOWN_TTL_MS : UNKNOWN_TTL_MS)) return hit.hostId ? { hostId: hit.hostId } : null;
  const hostId = await lookupBatched(tokenHash);
  return hostId ? { hostId } : null;
}

/** A token this process just issued (enrolment): cached as found, as a lookup would have. */
export function rememberToken(tokenHash: string, hostId: string): void {
  if (tokenCache.size > 200_000) tokenCache.clear();
  tokenCache.set(tokenHash, { at: Date.now(), hostId });
}

export function forgetToken(token: string): void {
  tokenCache.delete(hashToken(token));
}
