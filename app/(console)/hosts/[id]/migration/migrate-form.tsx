"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/client";
import { buttonClass, Field, fieldErrors, inputClass } from "@/app/(console)/admin/form-ui";
import { MigrationLive } from "@/app/_components/jobs/migration-live";

export type VmChoice = { pid: number; name: string | null; qmpSocket: string | null };

const CAPABILITIES = ["auto-converge", "postcopy-ram", "multifd", "xbzrle"] as const;
type Capability = (typeof CAPABILITIES)[number];
type Policy = "cancel" | "postcopy" | "raise";

/** Operator's "Migrate VM" form; after submit it follows the job live. */
export function MigrateForm({ hostId, vms, sectionPresent }: { hostId: string; vms: readonly VmChoice[]; sectionPresent: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const usable = vms.filter((v) => v.qmpSocket !== null);
  const [pid, setPid] = useState<string>(usable[0] ? String(usable[0].pid) : "");
  const [socket, setSocket] = useState("");
  const [uri, setUri] = useState("tcp:127.0.0.1:4444");
  const [downtime, setDowntime] = useState("10");
  const [bandwidthMiB, setBandwidthMiB] = useState("");
  const [policy, setPolicy] = useState<Policy>("cancel");
  const [caps, setCaps] = useState<Capability[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  const create = useMutation(
    trpc.jobs.createMigration.mutationOptions({
      onSuccess: (r) => {
        setJobId(r.id);
        router.refresh();
      },
    }),
  );
  const issues = (create.error?.data as { zodIssues?: { path: string; message: string }[] } | undefined)?.zodIssues ?? [];
  const errors = fieldErrors(issues);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bw = bandwidthMiB.trim() === "" ? null : Math.round(Number(bandwidthMiB) * 1024 * 1024);
    create.mutate({
      hostId,
      vm: sectionPresent ? { by: "pid", pid: Number(pid) } : { by: "socket", qmpSocket: socket, name: null },
      uri,
      destQmpSocket: null,
      downtimeLimitMs: Number(downtime),
      maxBandwidthBytesPerS: bw,
      capabilities: caps,
      onNoConvergence: policy,
      timeoutS: 120,
      idempotencyKey: crypto.randomUUID(),
    });
  };
  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="space-y-3" data-testid="migrate-form">
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {sectionPresent ? (
            <Field id="mig-vm" label="VM" error={errors["vm.pid"] ?? errors.vm} hint={usable.length === 0 ? "no VM with a QMP unix socket on this host" : undefined}>
              <select id="mig-vm" className={inputClass} value={pid} onChange={(e) => setPid(e.target.value)} required>
                {usable.map((v) => (
                  <option key={v.pid} value={v.pid}>
                    {v.name ?? `pid ${v.pid}`} — {v.qmpSocket}
                  </option>
                ))}
              </select>
            </Field>
          ) : (
            <Field id="mig-socket" label="VM's QMP socket" error={errors["vm.qmpSocket"] ?? errors.vm} hint="this host reports no VMs section: give the monitor socket path">
              <input id="mig-socket" className={inputClass} value={socket} onChange={(e) => setSocket(e.target.value)} placeholder="/run/qemu/vm1.qmp" required />
            </Field>
          )}
          <Field id="mig-uri" label="Destination URI" error={errors.uri} hint="a QEMU started with -incoming, e.g. tcp:HOST:PORT">
            <input id="mig-uri" className={inputClass} value={uri} onChange={(e) => setUri(e.target.value)} required />
          </Field>
          <Field id="mig-downtime" label="Downtime limit (ms)" error={errors.downtimeLimitMs}>
            <input id="mig-downtime" type="number" min={1} max={60000} className={inputClass} value={downtime} onChange={(e) => setDowntime(e.target.value)} />
          </Field>
          <Field id="mig-bandwidth" label="Max bandwidth (MiB/s)" error={errors.maxBandwidthBytesPerS} hint="empty: QEMU's default">
            <input id="mig-bandwidth" type="number" min={0.01} step="any" className={inputClass} value={bandwidthMiB} onChange={(e) => setBandwidthMiB(e.target.value)} />
          </Field>
          <Field id="mig-policy" label="If it does not converge" error={errors.onNoConvergence}>
            <select id="mig-policy" className={inputClass} value={policy} onChange={(e) => setPolicy(e.target.value as Policy)}>
              <option value="cancel">cancel (VM stays on the source)</option>
              <option value="postcopy">switch to postcopy</option>
              <option value="raise">raise the downtime limit in steps</option>
            </select>
          </Field>
          <fieldset>
            <legend className="mb-1 block text-xs font-medium text-slate-700 dark:text-slate-300">Capabilities</legend>
            <div className="flex flex-wrap gap-3 text-sm">
              {CAPABILITIES.map((c) => (
                <label key={c} className="flex items-center gap-1.5">
                  <input type="checkbox" checked={caps.includes(c)} onChange={(e) => setCaps(e.target.checked ? [...caps, c] : caps.filter((x) => x !== c))} />
                  {c}
                </label>
              ))}
            </div>
          </fieldset>
        </div>
        <div className="flex items-center gap-3">
          <button type="submit" className={buttonClass} disabled={create.isPending || (sectionPresent && usable.length === 0)}>
            {create.isPending ? "Starting…" : "Migrate VM"}
          </button>
          {create.error && issues.length === 0 && (
            <span role="alert" className="text-sm text-rose-600 dark:text-rose-400">
              {create.error.message}
            </span>
          )}
        </div>
      </form>
      {jobId && <MigrationLive jobId={jobId} canCancel />}
    </div>
  );
}
