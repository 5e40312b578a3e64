"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_trpc/client";
import type { FleetFilter } from "@/server/domain/compliance/fleet-filter";

/** Fetches the CSV through tRPC and hands it to the browser as a file download. */
export function ExportCsvButton({ filter }: { filter: FleetFilter }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  async function download() {
    setState({ busy: true, error: null });
    try {
      const out = await queryClient.fetchQuery({ ...trpc.compliance.exportCsv.queryOptions(filter), staleTime: 0 });
      const url = URL.createObjectURL(new Blob([out.csv], { type: "text/csv;charset=utf-8" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = out.filename;
      document.body.append(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(url);
      setState({ busy: false, error: null });
    } catch (e) {
      setState({ busy: false, error: e instanceof Error ? e.message : "export failed" });
    }
  }
  return (
    <span className="inline-flex items-center gap-2">
      <button type="button" onClick={download} disabled={state.busy} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800" data-testid="export-csv">
        {state.busy ? "Exporting…" : "Export CSV"}
      </button>
      {state.error && <span role="alert" className="text-xs text-rose-600">{state.error}</span>}
    </span>
  );
}
