import { prisma } from "@/server/db";
import type { Db } from "@/server/repo/profiles";

/** Runs `fn` in one database transaction; services pass `tx` to the repo functions they call. */
export function inTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
  return prisma().$transaction((tx) => fn(tx));
}
