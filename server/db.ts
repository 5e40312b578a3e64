import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/server/generated/prisma/client";

/**
 * The Prisma client singleton (JS engine + adapter-pg). Only server/repo/** may import this.
 * DATABASE_URL is resolved before first use: by the launcher (embedded default) or the environment.
 */
const globalForPrisma = globalThis as unknown as { nfvdeckPrisma?: PrismaClient };

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

export async function disconnectPrisma(): Promise<void> {
  await globalForPrisma.nfvdeckPrisma?.$disconnect();
  globalForPrisma.nfvdeckPrisma = undefined;
}
