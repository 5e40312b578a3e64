/**
 * True when an error means "the database cannot be reached right now" (refused, reset, timed out,
 * shutting down, starting up) rather than "this query is wrong". Such a request gets 503, so an
 * agent retries later instead of concluding its report or token is bad.
 */
const UNAVAILABLE_CODES = new Set([
  // socket level (pg, adapter-pg)
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  // Prisma: can't reach server, timed out, closed connection, pool timeout, interactive
  // transaction timed out (an overloaded database: retry later, not a crash)
  "P2028",
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2024",
  // PostgreSQL: admin/crash shutdown, cannot connect now, connection exceptions, too many connections
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "53300",
]);
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const UNAVAILABLE_TEXT = /ECONNREFUSED|ECONNRESET|Connection terminated|Can't reach database server|connection timeout|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|terminating connection due to administrator command/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && e !== null && typeof e === "object"; depth++) {
    const o = e as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
    if (typeof o.code === "string" && UNAVAILABLE_CODES.has(o.code)) return true;
    if (typeof o.kind === "string" && UNAVAILABLE_KINDS.has(o.kind)) return true;
    if (typeof o.message === "string" && UNAVAILABLE_TEXT.test(o.message)) return true;
    const meta = o.meta as { driverAdapterError?: unknown } | undefined;
    e = o.cause ?? meta?.driverAdapterError;
  }
  return false;
}

/** True for a foreign-key violation (e.g. a report for a host deleted while its token was still cached). */
export function isForeignKeyViolation(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && e !== null && typeof e === "object"; depth++) {
    const o = e as { code?: unknown; kind?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
    if (o.code === "23503" || o.code === "P2003" || o.originalCode === "23503" || o.kind === "ForeignKeyConstraintViolation") return true;
    if (typeof o.message === "string" && /violates foreign key constraint|23503/.test(o.message)) return true;
    const meta = o.meta as { driverAdapterError?: unknown } | undefined;
    e = o.cause ?? meta?.driverAdapterError;
  }
  return false;
}

/** True for a unique-constraint violation (PostgreSQL 23505, Prisma P2002), through adapter wrapping. */
export function isUniqueViolation(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && e !== null && typeof e === "object"; depth++) {
    const o = e as { code?: unknown; kind?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
    if (o.code === "23505" || o.code === "P2002" || o.originalCode === "23505" || o.kind === "UniqueConstraintViolation") return true;
    if (typeof o.message === "string" && /duplicate key value violates unique constraint|Unique constraint failed/.test(o.message)) return true;
    const meta = o.meta as { driverAdapterError?: unknown } | undefined;
    e = o.cause ?? meta?.driverAdapterError;
  }
  return false;
}

/** True when PostgreSQL chose this transaction as a deadlock's victim (40P01, Prisma P2034): safe to run again. */
export function isDeadlock(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && e !== null && typeof e === "object"; depth++) {
    const o = e as { code?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
    if (o.code === "40P01" || o.code === "P2034" || o.originalCode === "40P01") return true;
    if (typeof o.message === "string" && /deadlock detected/.test(o.message)) return true;
    const meta = o.meta as { driverAdapterError?: unknown } | undefined;
    e = o.cause ?? meta?.driverAdapterError;
  }
  return false;
}
