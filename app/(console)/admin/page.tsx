import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { UsersAdmin } from "./users-admin";
import { EnrollmentAdmin } from "./enrollment-admin";

export const metadata: Metadata = { title: "Admin" };
export const dynamic = "force-dynamic";

/** Users, roles and host enrolment tokens. Admins only (viewers/operators get the 403 page). */
export default async function AdminPage() {
  const me = await requirePageUser("admin", "/admin");
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.users.list.queryOptions()), qc.prefetchQuery(trpc.enrollment.listTokens.queryOptions())]);
  return (
    <HydrateClient>
      <div className="space-y-6">
        <h1 className="text-xl font-semibold tracking-tight">Admin</h1>
        <UsersAdmin currentUserId={me.id} />
        <EnrollmentAdmin />
      </div>
    </HydrateClient>
  );
}
