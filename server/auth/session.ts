import type { SessionUser } from "@/server/auth/session-user";

// PLACEHOLDER — replaced by the better-auth integration (helper H4).
export async function getSessionUser(_headers: Headers): Promise<SessionUser | null> {
  return null;
}
