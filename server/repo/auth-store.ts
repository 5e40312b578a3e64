import { prismaAdapter } from "better-auth/adapters/prisma";
import { prisma } from "@/server/db";

/**
 * better-auth's database adapter over our Prisma client (same pool, same tables: user, session,
 * account, verification). Lives in server/repo because it is the only code that may touch Prisma.
 */
export function authDatabaseAdapter() {
  return prismaAdapter(prisma(), { provider: "postgresql" });
}
