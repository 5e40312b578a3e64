import "server-only";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { roleAtLeast, type Role, type SessionUser } from "@/server/auth/session-user";
import { getSessionUser } from "@/server/auth/session";
import { safeNextPath } from "@/server/auth/next-path";

/**
 * Guard for RSC pages. Anonymous → redirect to /login?next=<nextPath>; role too low → 403 page
 * (Next's forbidden(), rendered by app/forbidden.tsx). RSC pages do not know their own URL, so
 * pass it: `await requirePageUser("viewer", "/hosts/" + id)`.
 */
export async function requirePageUser(minRole: Role, nextPath = "/"): Promise<SessionUser> {
  const user = await getSessionUser(new Headers(await headers()));
  if (!user) redirect(`/login?next=${encodeURIComponent(safeNextPath(nextPath))}`);
  if (!roleAtLeast(user.role, minRole)) forbidden();
  return user;
}

/** The signed-in user or null, for pages that render for everyone (e.g. the nav). */
export async function currentPageUser(): Promise<SessionUser | null> {
  return getSessionUser(new Headers(await headers()));
}
