"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { useTRPC } from "@/app/_trpc/client";
import { buttonClass, describedBy, Field, inputClass, serverErrorOf } from "@/app/(console)/admin/form-ui";
import { CpuMap } from "@/app/_components/placement/cpu-map";
import type { PlacementOutputs, VnfJson } from "@/server/contract/vnf";
import { formatCpuList } from "@/server/domain/cpuset/cpuset";

const secondaryButton =
  "rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800";
const dangerButton =
  "rounded-md border border-rose-300 bg-white px-2.5 py-1 text-sm font-medium text-rose-700 shadow-sm hover:bg-rose-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-rose-500 disabled:opacity-60 dark:border-rose-500/40 dark:bg-slate-900 dark:text-rose-300 dark:hover:bg-rose-500/10";

type Mode = { kind: "none" } | { kind: "create" } | { kind: "edit"; vnf: VnfJson } | { kind: "place"; vnf: VnfJson } | { kind: "outputs"; vnf: VnfJson };

export function VnfsConsole({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const vnfs = useQuery(trpc.vnfs.list.queryOptions());
  const [mode, setMode] = useState<Mode>({ kind: "none" });
  const list = vnfs.data ?? [];
  const close = () => setMode({ kind: "none" });
  return (
    <div className="space-y-4">
      {canEdit && mode.kind !== "create" && (
        <button type="button" className={buttonClass} onClick={() => setMode({ kind: "create" })} data-testid="vnf-new">
          New VNF
        </button>
      )}
      {canEdit && mode.kind === "create" && <VnfForm onDone={close} />}
      {canEdit && mode.kind === "edit" && <VnfForm vnf={mode.vnf} onDone={close} key={mode.vnf.id} />}
      <section className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900" aria-labelledby="vnfs-title">
        <h2 id="vnfs-title" className="sr-only">
          VNF list
        </h2>
        <table className="w-full text-sm" data-testid="vnf-table">
          <thead className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:text-slate-400">
            <tr>
              <th scope="col" className="px-3 py-2">Name</th>
              <th scope="col" className="px-3 py-2">Shape</th>
              <th scope="col" className="px-3 py-2">Policy</th>
              <th scope="col" className="px-3 py-2">Owner</th>
              <th scope="col" className="px-3 py-2">Placement</th>
              <th scope="col" className="px-3 py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {list.length === 0 && (
              <tr>
                <td colSpan={6} className="px-3 py-6 text-center text-slate-500 dark:text-slate-400">
                  No VNF defined yet.
                </td>
              </tr>
            )}
            {list.map((v) => (
              <VnfRow key={v.id} vnf={v} canEdit={canEdit} setMode={setMode} active={mode.kind !== "none" && mode.kind !== "create" && mode.vnf.id === v.id} />
            ))}
          </tbody>
        </table>
      </section>
      {mode.kind === "place" && canEdit && <PlacePanel vnf={mode.vnf} onDone={close} key={mode.vnf.id} />}
      {mode.kind === "outputs" && <PlacedOutputs vnf={mode.vnf} onClose={close} key={mode.vnf.id} />}
    </div>
  );
}

function VnfRow({ vnf, canEdit, setMode, active }: { vnf: VnfJson; canEdit: boolean; setMode: (m: Mode) => void; active: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.vnfs.list.queryKey() });
  const unassign = useMutation(trpc.placement.unassign.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.vnfs.delete.mutationOptions({ onSuccess: invalidate }));
  const p = vnf.placement;
  const vcpuCpus = p?.cpus.filter((c) => c.role.kind === "vcpu").map((c) => c.cpu) ?? [];
  const error = unassign.error ?? remove.error;
  return (
    <tr data-testid={`vnf-row-${vnf.name}`} className={active ? "bg-sky-50/60 dark:bg-sky-500/5" : undefined}>
      <td className="px-3 py-2 align-top">
        <Link href={`/vnfs/${vnf.id}`} className="font-medium text-sky-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300" data-testid="vnf-link">
          {vnf.name}
        </Link>
        {vnf.description && <div className="text-xs text-slate-500 dark:text-slate-400">{vnf.description}</div>}
        {Object.keys(vnf.labels).length > 0 && (
          <div className="mt-0.5 flex flex-wrap gap-1">
            {Object.entries(vnf.labels).map(([k, val]) => (
              <span key={k} className="rounded bg-slate-100 px-1 text-[11px] text-slate-700 dark:bg-slate-800 dark:text-slate-300">
                {k}={val}
              </span>
            ))}
          </div>
        )}
      </td>
      <td className="px-3 py-2 align-top tabular-nums">
        {vnf.vcpus} vCPU · {vnf.memoryMib} MiB {vnf.pageSize} pages
        <div className="text-xs text-slate-500 dark:text-slate-400">
          NUMA {vnf.numaNode ?? "any"}
          {vnf.cacheWays !== null ? ` · ${vnf.cacheWays} cache ways` : ""}
        </div>
      </td>
      <td className="px-3 py-2 align-top text-xs">
        threads {vnf.threadPolicy}
        <br />
        emulator {vnf.emulatorThreads}
      </td>
      <td className="px-3 py-2 align-top text-xs">{vnf.owner}</td>
      <td className="px-3 py-2 align-top" data-testid="vnf-placement">
        {p ? (
          <div className="space-y-0.5">
            <Link href={`/hosts/${p.hostId}/cpus`} className="font-medium text-sky-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300">
              {p.hostname}
            </Link>
            <div className="text-xs text-slate-600 dark:text-slate-300">
              node {p.numaNode} · vCPUs <span className="font-mono">{formatCpuList(vcpuCpus)}</span>
              {p.pageSize ? ` · ${p.pages} × ${p.pageSize}` : ""}
            </div>
            {p.warnings.length > 0 && <div className="text-xs text-amber-700 dark:text-amber-300">{p.warnings.length} warning{p.warnings.length === 1 ? "" : "s"} at placement</div>}
          </div>
        ) : (
          <span className="text-slate-500 dark:text-slate-400">not placed</span>
        )}
      </td>
      <td className="px-3 py-2 align-top">
        <div className="flex flex-wrap justify-end gap-1.5">
          {p && (
            <button type="button" className={secondaryButton} onClick={() => setMode({ kind: "outputs", vnf })}>
              libvirt / Nova
            </button>
          )}
          {canEdit && !p && (
            <button type="button" className={secondaryButton} onClick={() => setMode({ kind: "place", vnf })} data-testid="vnf-place">
              Place on host…
            </button>
          )}
          {canEdit && p && (
            <button type="button" className={secondaryButton} disabled={unassign.isPending} onClick={() => unassign.mutate({ vnfId: vnf.id })} data-testid="vnf-unassign">
              {unassign.isPending ? "Unassigning…" : "Unassign"}
            </button>
          )}
          {canEdit && (
            <button type="button" className={secondaryButton} onClick={() => setMode({ kind: "edit", vnf })}>
              Edit
            </button>
          )}
          {canEdit && !confirmDelete && (
            <button type="button" className={dangerButton} onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          )}
          {canEdit && confirmDelete && (
            <>
              <button type="button" className={dangerButton} disabled={remove.isPending} onClick={() => remove.mutate({ id: vnf.id })} data-testid="vnf-delete-confirm">
                {p ? "Delete and free its CPUs" : "Really delete"}
              </button>
              <button type="button" className={secondaryButton} onClick={() => setConfirmDelete(false)}>
                Keep
              </button>
            </>
          )}
        </div>
        {error && (
          <p role="alert" className="mt-1 text-right text-xs text-rose-600 dark:text-rose-400">
            {error.message}
          </p>
        )}
      </td>
    </tr>
  );
}

type FormValues = {
  name: string;
  description: string;
  vcpus: string;
  memoryMib: string;
  pageSize: "1G" | "2M" | "4K";
  numaNode: string;
  threadPolicy: "prefer" | "isolate" | "require";
  emulatorThreads: "share" | "isolate";
  cacheWays: string;
  owner: string;
  labels: string;
};

function initialValues(v?: VnfJson): FormValues {
  return {
    name: v?.name ?? "",
    description: v?.description ?? "",
    vcpus: String(v?.vcpus ?? 2),
    memoryMib: String(v?.memoryMib ?? 2048),
    pageSize: v?.pageSize ?? "1G",
    numaNode: v?.numaNode === null || v === undefined ? "" : String(v.numaNode),
    threadPolicy: v?.threadPolicy ?? "prefer",
    emulatorThreads: v?.emulatorThreads ?? "share",
    cacheWays: v?.cacheWays === null || v === undefined ? "" : String(v.cacheWays),
    owner: v?.owner ?? "",
    labels: Object.entries(v?.labels ?? {})
      .map(([k, val]) => `${k}=${val}`)
      .join(", "),
  };
}

/** "a=b, c=d" → { a: "b", c: "d" }; null when a part has no "=". */
function parseLabels(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) return null;
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function VnfForm({ vnf, onDone }: { vnf?: VnfJson; onDone: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [v, setV] = useState<FormValues>(() => initialValues(vnf));
  const [localError, setLocalError] = useState<Record<string, string>>({});
  const done = () => {
    void qc.invalidateQueries({ queryKey: trpc.vnfs.list.queryKey() });
    onDone();
  };
  const create = useMutation(trpc.vnfs.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.vnfs.update.mutationOptions({ onSuccess: done }));
  const pending = create.isPending || update.isPending;
  const serverError = create.error ?? update.error;
  const server = serverError ? serverErrorOf(serverError) : null;
  const errors = { ...(server?.fields ?? {}), ...localError };
  const set = (k: keyof FormValues) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const labels = parseLabels(v.labels);
    if (labels === null) {
      setLocalError({ labels: "labels: write key=value, separated by commas" });
      return;
    }
    setLocalError({});
    const body = {
      name: v.name.trim(),
      description: v.description,
      vcpus: Number(v.vcpus),
      memoryMib: Number(v.memoryMib),
      pageSize: v.pageSize,
      numaNode: v.numaNode.trim() === "" ? null : Number(v.numaNode),
      threadPolicy: v.threadPolicy,
      emulatorThreads: v.emulatorThreads,
      cacheWays: v.cacheWays.trim() === "" ? null : Number(v.cacheWays),
      owner: v.owner.trim(),
      labels,
    };
    if (vnf) update.mutate({ id: vnf.id, ...body });
    else create.mutate(body);
  };
  const field = (id: keyof FormValues, label: string, input: ReactNode, hint?: string) => (
    <Field id={`vnf-${id}`} label={label} error={errors[id]} hint={hint}>
      {input}
    </Field>
  );
  const text = (id: keyof FormValues, props: Record<string, unknown> = {}) => (
    <input
      id={`vnf-${id}`}
      className={inputClass}
      value={v[id]}
      onChange={set(id)}
      aria-invalid={errors[id] ? true : undefined}
      aria-describedby={describedBy(`vnf-${id}`, errors[id])}
      {...props}
    />
  );
  return (
    <form onSubmit={submit} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900" data-testid="vnf-form" aria-label={vnf ? `Edit ${vnf.name}` : "New VNF"}>
      <h2 className="text-sm font-semibold">{vnf ? `Edit ${vnf.name}` : "New VNF"}</h2>
      {vnf?.placement && <p className="text-xs text-amber-700 dark:text-amber-300">Placed on {vnf.placement.hostname}: only description, owner and labels can change until it is unassigned.</p>}
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        {field("name", "Name", text("name", { required: true }), "the libvirt domain name")}
        {field("vcpus", "vCPUs", text("vcpus", { type: "number", min: 1, max: 512, required: true }))}
        {field("memoryMib", "Memory (MiB)", text("memoryMib", { type: "number", min: 1, required: true }))}
        {field(
          "pageSize",
          "Page size",
          <select id="vnf-pageSize" className={inputClass} value={v.pageSize} onChange={set("pageSize")}>
            <option value="1G">1G hugepages</option>
            <option value="2M">2M hugepages</option>
            <option value="4K">4K (no hugepages)</option>
          </select>,
        )}
        {field("numaNode", "NUMA node", text("numaNode", { type: "number", min: 0, placeholder: "any" }), "empty = best fit")}
        {field(
          "threadPolicy",
          "Thread policy",
          <select id="vnf-threadPolicy" className={inputClass} value={v.threadPolicy} onChange={set("threadPolicy")}>
            <option value="prefer">prefer (pack siblings)</option>
            <option value="isolate">isolate (one vCPU per core)</option>
            <option value="require">require (whole SMT cores)</option>
          </select>,
        )}
        {field(
          "emulatorThreads",
          "Emulator threads",
          <select id="vnf-emulatorThreads" className={inputClass} value={v.emulatorThreads} onChange={set("emulatorThreads")}>
            <option value="share">share (housekeeping CPUs)</option>
            <option value="isolate">isolate (own isolated CPU)</option>
          </select>,
        )}
        {field("cacheWays", "Cache ways (CAT)", text("cacheWays", { type: "number", min: 1, placeholder: "none" }))}
        {field("owner", "Owner", text("owner", { placeholder: "you" }))}
        {field("labels", "Labels", text("labels", { placeholder: "tier=edge, team=core" }))}
        <div className="col-span-2">{field("description", "Description", text("description"))}</div>
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" className={buttonClass} disabled={pending} data-testid="vnf-save">
          {pending ? "Saving…" : vnf ? "Save" : "Create VNF"}
        </button>
        <button type="button" className={secondaryButton} onClick={onDone}>
          Cancel
        </button>
        {server && (
          <span role="alert" className="text-sm text-rose-600 dark:text-rose-400">
            {server.message}
          </span>
        )}
      </div>
    </form>
  );
}

function PlacePanel({ vnf, onDone }: { vnf: VnfJson; onDone: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const [hostId, setHostId] = useState("");
  const [asked, setAsked] = useState<string | null>(null);
  const enabled = asked !== null;
  const preview = useQuery({ ...trpc.placement.preview.queryOptions({ vnfId: vnf.id, hostId: asked ?? "" }), enabled, staleTime: 0, gcTime: 0 });
  const map = useQuery({ ...trpc.placement.hostCpuMap.queryOptions({ hostId: asked ?? "" }), enabled, staleTime: 0 });
  const place = useMutation(
    trpc.placement.place.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.vnfs.list.queryKey() });
        void qc.invalidateQueries({ queryKey: trpc.placement.hostCpuMap.queryKey() });
      },
    }),
  );
  const result = preview.data?.result;
  const fit = result?.ok ? result : null;
  return (
    <section className="space-y-4 rounded-lg border border-sky-200 bg-white p-4 shadow-sm dark:border-sky-500/30 dark:bg-slate-900" aria-labelledby="place-title" data-testid="place-panel">
      <div className="flex flex-wrap items-end gap-3">
        <h2 id="place-title" className="mr-4 text-sm font-semibold">
          Place {vnf.name} ({vnf.vcpus} vCPU, {vnf.threadPolicy}, emulator {vnf.emulatorThreads})
        </h2>
        <Field id="place-host" label="Host">
          <select
            id="place-host"
            className={inputClass}
            value={hostId}
            onChange={(e) => {
              setHostId(e.target.value);
              setAsked(null);
              place.reset();
            }}
          >
            <option value="">Choose a host…</option>
            {(hosts.data?.hosts ?? []).map((h) => (
              <option key={h.id} value={h.id}>
                {h.hostname}
              </option>
            ))}
          </select>
        </Field>
        <button type="button" className={buttonClass} disabled={hostId === ""} onClick={() => setAsked(hostId)} data-testid="place-preview">
          Preview
        </button>
        <button type="button" className={secondaryButton} onClick={onDone}>
          Close
        </button>
      </div>
      {enabled && preview.isPending && <p className="text-sm text-slate-500">Running the allocator…</p>}
      {preview.error && (
        <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">
          {preview.error.message}
        </p>
      )}
      {result && !result.ok && (
        <div role="alert" className="rounded-md border border-rose-300 bg-rose-50 p-3 text-sm dark:border-rose-500/40 dark:bg-rose-500/10" data-testid="place-nofit">
          {/* the reason is often just the per-node list joined: say it once */}
          <p className="font-medium text-rose-800 dark:text-rose-200">
            Does not fit on {preview.data?.hostname}
            {result.reason === result.perNode.map((n) => `node ${n.node}: ${n.reason}`).join("; ") ? ":" : `: ${result.reason}`}
          </p>
          {result.perNode.length > 0 && (
            <ul className="mt-1 list-disc pl-5 text-rose-800 dark:text-rose-200">
              {result.perNode.map((n) => (
                <li key={n.node}>
                  node {n.node}: {n.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {fit && preview.data && !place.isSuccess && (
        <div className="space-y-3" data-testid="place-preview-result">
          <p className="text-sm">
            The allocator chooses <strong>node {fit.numaNode}</strong> on <strong>{preview.data.hostname}</strong>: vCPUs{" "}
            <span className="font-mono">{fit.vcpuPins.map((p) => `${p.vcpu}→${p.cpu}`).join(" ")}</span>
            {fit.reservedCpus.length > 0 && (
              <>
                , reserved siblings <span className="font-mono">{formatCpuList(fit.reservedCpus)}</span>
              </>
            )}
            , emulator on <span className="font-mono">{formatCpuList(fit.emulatorCpus)}</span>
            {fit.hugepagesNeeded && ` · ${fit.hugepagesNeeded.pages} × ${fit.hugepagesNeeded.pageSize} hugepages on node ${fit.hugepagesNeeded.node}`}
            {fit.l3Domain && ` · ${fit.l3Domain.id}${fit.l3Domain.sharedWith.length > 0 ? ` shared with ${fit.l3Domain.sharedWith.join(", ")}` : ""}`}.
          </p>
          {fit.warnings.length > 0 ? (
            <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-500/40 dark:bg-amber-500/10" data-testid="place-warnings">
              <p className="font-medium text-amber-900 dark:text-amber-200">Checked against the real host — {fit.warnings.length} warning{fit.warnings.length === 1 ? "" : "s"}:</p>
              <ul className="mt-1 list-disc pl-5 text-amber-900 dark:text-amber-100">
                {fit.warnings.map((w, i) => (
                  <li key={`${w.code}-${w.cpu}-${i}`}>{w.message}</li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="text-sm text-emerald-700 dark:text-emerald-400">Checked against the real host: no warnings.</p>
          )}
          <div className="flex items-center gap-3">
            <button
              type="button"
              className={buttonClass}
              disabled={place.isPending}
              data-testid="place-confirm"
              onClick={() =>
                place.mutate({ vnfId: vnf.id, hostId: preview.data.hostId, expected: { numaNode: fit.numaNode, vcpuPins: fit.vcpuPins, emulatorCpus: fit.emulatorCpus, reservedCpus: fit.reservedCpus } })
              }
            >
              {place.isPending ? "Placing…" : `Confirm placement on ${preview.data.hostname}`}
            </button>
            {place.error && (
              <span role="alert" className="text-sm text-rose-600 dark:text-rose-400" data-testid="place-error">
                {place.error.message}
              </span>
            )}
          </div>
          {preview.data.outputs && <OutputsView outputs={preview.data.outputs} />}
        </div>
      )}
      {place.isSuccess && (
        <div className="space-y-3">
          <p role="status" className="text-sm font-medium text-emerald-700 dark:text-emerald-400" data-testid="place-done">
            {vnf.name} is placed on {preview.data?.hostname}.
          </p>
          <OutputsView outputs={place.data.outputs} />
        </div>
      )}
      {map.data && (
        <div>
          <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
            {place.isSuccess ? `${map.data.hostname} now` : fit ? `${map.data.hostname} with the preview` : map.data.hostname}
          </h3>
          <CpuMap
            map={map.data}
            preview={fit && !place.isSuccess ? { vnfName: vnf.name, vcpuPins: fit.vcpuPins, emulatorCpus: fit.emulatorCpus, reservedCpus: fit.reservedCpus, emulatorIsolated: vnf.emulatorThreads === "isolate" } : null}
          />
        </div>
      )}
    </section>
  );
}

function PlacedOutputs({ vnf, onClose }: { vnf: VnfJson; onClose: () => void }) {
  const trpc = useTRPC();
  const outputs = useQuery(trpc.vnfs.outputs.queryOptions({ vnfId: vnf.id }));
  return (
    <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900" aria-labelledby="outputs-title" data-testid="vnf-outputs">
      <div className="flex items-center justify-between">
        <h2 id="outputs-title" className="text-sm font-semibold">
          {vnf.name}: libvirt and Nova
        </h2>
        <button type="button" className={secondaryButton} onClick={onClose}>
          Close
        </button>
      </div>
      {outputs.data ? <OutputsView outputs={outputs.data} /> : outputs.isPending ? <p className="text-sm text-slate-500">Loading…</p> : <p className="text-sm">Not placed.</p>}
    </section>
  );
}

function OutputsView({ outputs }: { outputs: PlacementOutputs }) {
  const nova = Object.entries(outputs.novaExtraSpecs)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  const novaCli = `openstack flavor set FLAVOR ${Object.entries(outputs.novaExtraSpecs)
    .map(([k, v]) => `--property ${k}=${v}`)
    .join(" ")}`;
  return (
    <div className="grid gap-3 lg:grid-cols-2" data-testid="placement-outputs">
      {/* the whole document stays in view beside the four snippets (it scrolled at 18 rem, cut after <hugepages>) */}
      <Snippet title="libvirt domain XML" text={outputs.libvirtXml} testId="out-libvirt" tall />
      <div className="space-y-3">
        <Snippet title="<cputune> fragment" text={outputs.cputuneXml} testId="out-cputune" />
        <Snippet title="<numatune> fragment" text={outputs.numatuneXml} testId="out-numatune" />
        <Snippet title="Nova flavor extra specs" text={nova} testId="out-nova" />
        <Snippet title="openstack CLI" text={novaCli} testId="out-nova-cli" wrap />
      </div>
    </div>
  );
}

function Snippet({ title, text, testId, tall = false, wrap = false }: { title: string; text: string; testId: string; tall?: boolean; wrap?: boolean }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <div className="rounded-md border border-slate-200 dark:border-slate-800" data-testid={testId}>
      <div className="flex items-center justify-between gap-2 border-b border-slate-200 px-2 py-1 dark:border-slate-800">
        <span className="text-xs font-semibold text-slate-600 dark:text-slate-300">{title}</span>
        <span className="flex items-center gap-2">
          <span role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
            {copied === "yes" ? "Copied" : copied === "failed" ? "Copy failed: select the text" : ""}
          </span>
          <button type="button" className={secondaryButton} onClick={() => void copy()} data-testid={`${testId}-copy`}>
            Copy
          </button>
        </span>
      </div>
      <pre
        className={`${tall ? "max-h-[40rem]" : "max-h-72"} ${wrap ? "whitespace-pre-wrap break-all" : ""} overflow-auto p-2 font-mono text-xs leading-snug text-slate-800 dark:text-slate-200`}
        tabIndex={0}
        aria-label={title}
      >
        {text}
      </pre>
    </div>
  );
}
