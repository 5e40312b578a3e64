import { prisma } from "@/server/db";

export async function checkDatabase(): Promise<{ ok: boolean; db: "up" | "down" }> {
  try {
    await Promise.race([
      prisma().$queryRaw`select 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000).unref()),
    ]);
    return { ok: true, db: "up" };
  } catch {
    return { ok: false, db: "down" };
  }
}
