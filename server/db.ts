import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/server/generated/prisma/client";

/**
 * The Prisma client singleton (JS engine + adapter-pg). Only server/repo/** may import this.
 * DATABASE_URL is resolved before first use: by the launcher (embedded default) or the environment.
 */
const globalForPrisma = globalThis as unknown as { nfvdeckPrisma?: PrismaClient; nfvdeckPgPool?: pg.Pool };

export function prisma(): PrismaClient {
  if (!globalForPrisma.nfvdeckPrisma) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start through `npm run demo`/`npm start`, or set it");
    const adapter = new PrismaPg({ connectionString: url, max: Number(process.env.NFVDECK_PG_POOL ?? 10) });
    globalForPrisma.nfvdeckPrisma = new PrismaClient({ adapter });
  }
  return globalForPrisma.nfvdeckPrisma;
}

/** A separate client for one URL (the migrate path seeds through it); the caller disconnects it. */
export function openPrisma(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) });
}

/**
 * A small plain pg pool for the ingest hot path's set-based statements (heartbeat batches, full reports):
 * a raw statement through Prisma still costs ~1 ms of CPU in its query engine, more than the statement.
 * Only server/repo/** may use it.
 */
export function pgPool(): pg.Pool {
  if (!globalForPrisma.nfvdeckPgPool) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start through `npm run demo`/`npm start`, or set it");
    globalForPrisma.nfvdeckPgPool = new pg.Pool({ connectionString: url, max: Number(process.env.NFVDECK_PG_INGEST_POOL ?? 6) });
    // an idle client's error (server restart) must not crash the process; the next query reconnects
    globalForPrisma.nfvdeckPgPool.on("error", () => undefined);
  }
  return globalForPrisma.nfvdeckPgPool;
}

export async function disconnectPrisma(): Promise<void> {
  await globalForPrisma.nfvdeckPrisma?.$disconnect();
  globalForPrisma.nfvdeckPrisma = undefined;
  const pool = globalForPrisma.nfvdeckPgPool;
  globalForPrisma.nfvdeckPgPool = undefined;
  await pool?.end();
}
