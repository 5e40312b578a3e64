import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import { JobDetailLive } from "./job-detail-live";

export const metadata = { title: "Job" };

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const rawId = (await params).id;
  const user = await requirePageUser("viewer", `/jobs/${encodeURIComponent(rawId)}`);
  const id = z.string().uuid().safeParse(rawId);
  if (!id.success) notFound();
  try {
    await (await serverCaller()).jobs.get({ id: id.data });
  } catch (e) {
    if (e instanceof TRPCError && e.code === "NOT_FOUND") notFound();
    throw e;
  }
  return (
    <div className="space-y-4">
      <p className="text-sm">
        <Link href="/jobs" className="text-sky-700 underline dark:text-sky-400">
          ← all jobs
        </Link>
      </p>
      <JobDetailLive jobId={id.data} canCancel={roleAtLeast(user.role, "operator")} />
    </div>
  );
}
