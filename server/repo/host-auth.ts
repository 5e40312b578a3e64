import { createHash, randomBytes } from "node:crypto";
import { prisma } from "@/server/db";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** 256-bit random token, URL-safe. */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

export async function findHostByToken(token: string): Promise<{ hostId: string } | null> {
  const host = await prisma().host.findUnique({ where: { tokenHash: hashToken(token) }, select: { id: true } });
  return host ? { hostId: host.id } : null;
}
