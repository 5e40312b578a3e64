"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/client";
import type { LatencyScheduleInput } from "@/server/contract/latency-schedule";
import { buttonClass, Field, inputClass } from "@/app/(console)/admin/form-ui";

export type ScheduleValues = LatencyScheduleInput;

/** The operator's cyclictest schedule for one host; the agent picks it up with its next report. */
export function ScheduleForm({ hostId, initial }: { hostId: string; initial: ScheduleValues }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [v, setV] = useState(initial);
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.latency.setSchedule.mutationOptions({
      onSuccess: (s) => {
        setV({ enabled: s.enabled, cpus: s.cpus, durationS: s.durationS, intervalUs: s.intervalUs, priority: s.priority, histogramSize: s.histogramSize, everyMinutes: s.everyMinutes, load: s.load });
        setSaved(true);
        router.refresh();
      },
    }),
  );
  const num = (k: keyof ScheduleValues) => (e: { target: { value: string } }) => setV({ ...v, [k]: Number(e.target.value) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate({ hostId, schedule: v });
  };
  return (
    <form onSubmit={submit} className="space-y-3" data-testid="schedule-form">
      <label className="flex items-center gap-2 text-sm font-medium">
        <input type="checkbox" checked={v.enabled} onChange={(e) => setV({ ...v, enabled: e.target.checked })} />
        Measure on a schedule
      </label>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Field id="sched-cpus" label="CPUs to measure" hint="cpu list, e.g. 2-5,8">
          <input id="sched-cpus" className={inputClass} value={v.cpus} onChange={(e) => setV({ ...v, cpus: e.target.value })} />
        </Field>
        <Field id="sched-every" label="Every (min)">
          <input id="sched-every" type="number" min={1} className={inputClass} value={v.everyMinutes} onChange={num("everyMinutes")} />
        </Field>
        <Field id="sched-duration" label="Duration (s)">
          <input id="sched-duration" type="number" min={1} className={inputClass} value={v.durationS} onChange={num("durationS")} />
        </Field>
        <Field id="sched-interval" label="Interval (µs)">
          <input id="sched-interval" type="number" min={50} className={inputClass} value={v.intervalUs} onChange={num("intervalUs")} />
        </Field>
        <Field id="sched-priority" label="Priority (SCHED_FIFO)">
          <input id="sched-priority" type="number" min={1} max={99} className={inputClass} value={v.priority} onChange={num("priority")} />
        </Field>
        <Field id="sched-hsize" label="Histogram size (µs buckets)">
          <input id="sched-hsize" type="number" min={10} className={inputClass} value={v.histogramSize} onChange={num("histogramSize")} />
        </Field>
        <Field id="sched-load" label="Load description">
          <input id="sched-load" className={inputClass} value={v.load} onChange={(e) => setV({ ...v, load: e.target.value })} />
        </Field>
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" className={buttonClass} disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save schedule"}
        </button>
        {saved && <span className="text-sm text-emerald-700 dark:text-emerald-400">Saved.</span>}
        {save.error && (
          <span role="alert" className="text-sm text-rose-600 dark:text-rose-400">
            {save.error.message}
          </span>
        )}
      </div>
    </form>
  );
}
