import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { UploadForm } from "./upload-form";

export const metadata = { title: "Upload cyclictest output" };

/** Operators upload cyclictest output run by hand (text of either generation, or --json). */
export default async function LatencyUploadPage({ searchParams }: { searchParams: Promise<{ host?: string }> }) {
  await requirePageUser("operator", "/latency/upload");
  const sp = await searchParams;
  const { hosts } = await (await serverCaller()).hosts.list();
  return (
    <div className="max-w-3xl space-y-4">
      <h1 className="text-xl font-semibold tracking-tight">Upload cyclictest output</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Text output with a histogram (<code>-h N</code>; rt-tests ≤ 2.6 with every bucket, or ≥ 2.7 without empty ones) or the file written by <code>--json=FILE</code>. A file
        that does not parse is rejected whole, with the line at fault.
      </p>
      <UploadForm hosts={hosts.map((h) => ({ id: h.id, hostname: h.hostname }))} initialHost={sp.host ?? ""} />
    </div>
  );
}
