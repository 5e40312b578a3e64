import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import { ProfileEditor } from "../profile-editor";

export const metadata: Metadata = { title: "Compliance profile" };

type Props = { params: Promise<{ id: string }> };

/** One profile: its rules (read-only for built-ins and non-admins), assignment and editing for admins. */
export default async function ProfilePage({ params }: Props) {
  const id = decodeURIComponent((await params).id);
  const user = await requirePageUser("viewer", `/compliance/profiles/${encodeURIComponent(id)}`);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(id)) notFound();
  const caller = await serverCaller();
  let profile;
  try {
    profile = await caller.compliance.getProfile({ id });
  } catch (e) {
    if (e instanceof TRPCError && e.code === "NOT_FOUND") notFound();
    throw e;
  }
  const isAdmin = roleAtLeast(user.role, "admin");
  return (
    <div className="space-y-5">
      <div>
        <p className="text-sm">
          <Link href="/compliance" className="text-sky-700 underline dark:text-sky-400">
            Compliance
          </Link>{" "}
          /{" "}
          <Link href="/compliance/profiles" className="text-sky-700 underline dark:text-sky-400">
            Profiles
          </Link>{" "}
          /
        </p>
        <h1 className="text-xl font-semibold tracking-tight" data-testid="profile-name">
          {profile.name}
          {profile.builtIn && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 align-middle text-xs font-normal text-slate-600 dark:bg-slate-800 dark:text-slate-300">built-in, read-only</span>}
        </h1>
        <p className="max-w-4xl text-sm text-slate-600 dark:text-slate-400">{profile.description}</p>
        <p className="mt-1 text-xs text-slate-500">
          <span className="font-mono">{profile.id}</span> · {profile.kind} profile{profile.basedOnId ? ` · based on ${profile.basedOnId}` : ""} · labels: {profile.labels.join(", ") || "none"} · explicit hosts: {profile.hosts.length}
        </p>
      </div>
      <ProfileEditor profile={profile} editable={isAdmin && !profile.builtIn} isAdmin={isAdmin} />
    </div>
  );
}
