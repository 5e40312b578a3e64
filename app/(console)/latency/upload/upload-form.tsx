"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/client";
import { buttonClass, Field, inputClass } from "@/app/(console)/admin/form-ui";

const MAX_BYTES = 8 * 1024 * 1024;

export function UploadForm({ hosts, initialHost }: { hosts: ReadonlyArray<{ id: string; hostname: string }>; initialHost: string }) {
  const trpc = useTRPC();
  const [hostId, setHostId] = useState(hosts.some((h) => h.id === initialHost) ? initialHost : (hosts[0]?.id ?? ""));
  const [load, setLoad] = useState("idle");
  const [cmdline, setCmdline] = useState("");
  const [startedAt, setStartedAt] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const upload = useMutation(trpc.latency.uploadCyclictest.mutationOptions());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setLocalError(null);
    upload.reset();
    if (!file) return setLocalError("Choose a file.");
    if (file.size > MAX_BYTES) return setLocalError("The file is larger than 8 MiB.");
    const content = await file.text();
    upload.mutate({
      hostId,
      content,
      load,
      ...(cmdline.trim() ? { cmdline: cmdline.trim() } : {}),
      ...(startedAt ? { startedAt: new Date(`${startedAt}:00Z`) } : {}),
    });
  };
  const error = localError ?? upload.error?.message ?? null;
  return (
    <form onSubmit={submit} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900" data-testid="upload-form">
      <Field id="up-host" label="Host">
        <select id="up-host" className={inputClass} value={hostId} onChange={(e) => setHostId(e.target.value)} required>
          {hosts.map((h) => (
            <option key={h.id} value={h.id}>
              {h.hostname}
            </option>
          ))}
        </select>
      </Field>
      <Field id="up-file" label="cyclictest output file">
        <input id="up-file" type="file" accept=".txt,.json,.log,text/plain,application/json" className={inputClass} onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
      </Field>
      <Field id="up-load" label="Load during the run" hint='e.g. "idle", "stress-ng --cpu 4", free text'>
        <input id="up-load" className={inputClass} value={load} onChange={(e) => setLoad(e.target.value)} required maxLength={256} />
      </Field>
      <Field id="up-cmdline" label="Command line (text output only)" hint="tells the histogram size (-h), ns units (-N), interval and priority; --json files carry it">
        <input id="up-cmdline" className={inputClass} value={cmdline} onChange={(e) => setCmdline(e.target.value)} placeholder="cyclictest -m -p95 -i200 -h400 -a 2,3 -t 2 -D 10m" />
      </Field>
      <Field id="up-start" label="Started at (UTC, text output only)" hint="default: now minus the run's duration">
        <input id="up-start" type="datetime-local" className={inputClass} value={startedAt} onChange={(e) => setStartedAt(e.target.value)} />
      </Field>
      <div className="flex items-center gap-3">
        <button type="submit" className={buttonClass} disabled={upload.isPending || !hostId}>
          {upload.isPending ? "Uploading…" : "Upload"}
        </button>
        {upload.data && (
          <span className="text-sm text-emerald-700 dark:text-emerald-400" data-testid="upload-result">
            {upload.data.duplicate ? "This file was already stored." : "Stored."}{" "}
            <Link className="underline" href={`/hosts/${hostId}/latency`}>
              Open the host&apos;s latency
            </Link>
          </span>
        )}
      </div>
      {error && (
        <p role="alert" className="text-sm text-rose-600 dark:text-rose-400" data-testid="upload-error">
          {error}
        </p>
      )}
    </form>
  );
}
