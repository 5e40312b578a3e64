import type { Metadata } from "next";
import Link from "next/link";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import { CloneProfileForm } from "./profile-editor";

export const metadata: Metadata = { title: "Compliance profiles" };

/** The profiles: built-ins (read-only) and custom ones; admins clone and edit. */
export default async function ProfilesPage() {
  const user = await requirePageUser("viewer", "/compliance/profiles");
  const profiles = await (await serverCaller()).compliance.listProfiles({});
  const isAdmin = roleAtLeast(user.role, "admin");
  return (
    <div className="space-y-5">
      <div>
        <p className="text-sm">
          <Link href="/compliance" className="text-sky-700 underline dark:text-sky-400">
            Compliance
          </Link>{" "}
          /
        </p>
        <h1 className="text-xl font-semibold tracking-tight">Profiles</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          A host uses the profile assigned to it, else the profile of its first assigned label (alphabetically), else kvm4nfv-guest if it is a virtual machine and kvm4nfv-host otherwise.
        </p>
      </div>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm" data-testid="profiles-table">
          <thead>
            <tr className="border-b border-slate-200 text-left text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
              <th className="px-3 py-2">Name</th>
              <th className="px-3 py-2">Kind</th>
              <th className="px-3 py-2 text-right">Rules on</th>
              <th className="px-3 py-2 text-right">Hosts (explicit)</th>
              <th className="px-3 py-2">Labels</th>
              <th className="px-3 py-2">Based on</th>
            </tr>
          </thead>
          <tbody>
            {profiles.map((p) => (
              <tr key={p.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                <td className="px-3 py-2">
                  <Link href={`/compliance/profiles/${encodeURIComponent(p.id)}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                    {p.name}
                  </Link>
                  {p.builtIn && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">built-in</span>}
                  <div className="font-mono text-xs text-slate-500">{p.id}</div>
                </td>
                <td className="px-3 py-2">{p.kind}</td>
                <td className="px-3 py-2 text-right tabular-nums">
                  {p.enabledRules} / {p.totalRules}
                </td>
                <td className="px-3 py-2 text-right tabular-nums">{p.hostCount}</td>
                <td className="px-3 py-2">{p.labels.join(", ") || "—"}</td>
                <td className="px-3 py-2 font-mono text-xs">{p.basedOnId ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {isAdmin && <CloneProfileForm profiles={profiles.map((p) => ({ id: p.id, name: p.name }))} />}
    </div>
  );
}
