import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import { VnfsConsole } from "./vnfs-console";

export const metadata: Metadata = { title: "VNFs" };
export const dynamic = "force-dynamic";

/** VNFs: define, place on a host's isolated CPUs (previewed on its CPU map), unassign. Viewers read only. */
export default async function VnfsPage() {
  const me = await requirePageUser("viewer", "/vnfs");
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.vnfs.list.queryOptions()), qc.prefetchQuery(trpc.hosts.list.queryOptions())]);
  return (
    <HydrateClient>
      <div className="space-y-6">
        <div className="flex flex-wrap items-baseline justify-between gap-3">
          <h1 className="text-xl font-semibold tracking-tight">VNFs</h1>
          <p className="text-sm text-slate-500 dark:text-slate-400">
            {roleAtLeast(me.role, "operator") ? "Define VNFs and place them on isolated CPUs." : "You can see VNFs and their placement; operators and admins place them."}
          </p>
        </div>
        <VnfsConsole canEdit={roleAtLeast(me.role, "operator")} />
      </div>
    </HydrateClient>
  );
}
