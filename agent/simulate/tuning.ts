/**
 * Tuning on a simulated host, for real: the demo's hosts take tune jobs from the console like a real
 * agent (the JobRunner with the agent's own `tune` parameters schema), and run the REAL tune actions
 * (agent/actions/tune/run-tune.ts: plan, ledger on disk, apply, verify, rollback, the ledger lock)
 * against a per-host writable in-memory tree. The real collectors then read the changed files, so the
 * next report shows the new values and compliance follows from them; the host's cyclictest shape follows
 * what is actually set in its tree (RT throttling off → the tuned shape; back on → the mistuned one).
 *
 * The ledger is on disk in the host's state directory: a restarted demo replays the applies still in
 * force onto the fresh tree, so a fixed host stays fixed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import type { ReportSections } from "@/server/contract/report";
import type { TuneOutcome } from "@/server/contract/tuning";
import { collectSections } from "@/agent/report/collect";
import { runTune } from "@/agent/actions/tune/run-tune";
import { fromB64, listEntries } from "@/agent/actions/tune/ledger";
import { agentTuneParamsSchema, catalogueEntry, type CatalogueEntry, type JobAction } from "@/agent/jobs/catalogue";
import { hostTree, SIMULATED_COLLECTORS, thisVmFixtureDir, type SimulatedHost } from "@/agent/simulate/hosts";
import { TUNED_RT_SHAPE, type LatencyShape } from "@/agent/simulate/latency";
import { WritableMemoryHostFs } from "@/agent/simulate/writable-memory-hostfs";
import { parseCpuList, formatCpuList } from "@/server/domain/cpuset/cpuset";
import { createRandom } from "@/agent/simulate/random";

const RT_RUNTIME = "proc/sys/kernel/sched_rt_runtime_us";

/** Every file of a directory tree (the vm-guest kind reads the captured this-vm fixture). */
function readDirTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const abs = path.join(dir, r);
      const st = statSync(abs, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) out.set(r, readFileSync(abs, "utf8"));
    }
  };
  walk("");
  return out;
}

/** The simulated kernel's side of a write: an IRQ's effective affinity follows its new smp_affinity_list. */
function kernelReaction(rel: string, fs: WritableMemoryHostFs): void {
  const m = /^proc\/irq\/(\d+)\/smp_affinity_list$/.exec(rel);
  if (!m) return;
  const effRel = `proc/irq/${m[1]}/effective_affinity_list`;
  const eff = fs.get(effRel);
  const allowed = parseCpuList((fs.get(rel) ?? "").trim());
  if (eff === null || allowed.length === 0) return;
  const now = parseCpuList(eff.trim());
  if (now.every((c) => allowed.includes(c))) return;
  fs.set(effRel, `${formatCpuList([allowed[0] as number])}\n`);
}

function isolatedCpus(fs: WritableMemoryHostFs): number[] {
  const text = fs.get("sys/devices/system/cpu/isolated")?.trim() ?? "";
  return text === "" ? [] : parseCpuList(text);
}

/**
 * The latency shape a host's tree earns. Only causes a runtime action can remove are modelled (RT
 * throttling, device IRQs on isolated CPUs, deep C-states on the measured CPUs); a boot change waits for
 * a reboot, which the simulation never does, so those hosts keep their shape.
 */
export function shapeForTree(host: Pick<SimulatedHost, "kind" | "profile">, fs: WritableMemoryHostFs): LatencyShape {
  switch (host.kind) {
    case "rt-throttling":
      return fs.get(RT_RUNTIME)?.trim() === "-1" ? TUNED_RT_SHAPE : host.profile.shape;
    case "irq-on-isolated": {
      const iso = isolatedCpus(fs);
      const onIsolated = fs
        .filesUnder("proc/irq")
        .filter((f) => f.endsWith("/effective_affinity_list"))
        .some((f) => parseCpuList((fs.get(f) ?? "").trim()).some((c) => iso.includes(c)));
      return onIsolated ? host.profile.shape : TUNED_RT_SHAPE;
    }
    case "cstates-turbo": {
      const deepOn = host.profile.latencyCpus.some((cpu) =>
        fs
          .filesUnder(`sys/devices/system/cpu/cpu${cpu}/cpuidle`)
          .filter((f) => /\/state([2-9]|\d{2,})\/disable$/.test(f))
          .some((f) => fs.get(f)?.trim() === "0"),
      );
      return deepOn ? host.profile.shape : { ...TUNED_RT_SHAPE, bodyMeanUs: 9.4, bodySdUs: 0.5, tailFraction: 3e-4, tailCapUs: 19 };
    }
    default:
      return host.profile.shape;
  }
}

export interface SimulatedTuningEvent {
  /** when the job's writes were done */
  at: Date;
  outcome: TuneOutcome;
}

export class SimulatedTuning {
  readonly fs: WritableMemoryHostFs;
  private readonly host: SimulatedHost;
  private readonly stateDir: string;

  private constructor(host: SimulatedHost, fs: WritableMemoryHostFs, stateDir: string) {
    this.host = host;
    this.fs = fs;
    this.stateDir = stateDir;
    fs.onWrite = kernelReaction;
  }

  /** The host's tree, with the applies its ledger (in stateDir) still holds in force replayed onto it. */
  static async create(host: SimulatedHost, stateDir: string): Promise<SimulatedTuning> {
    let tree = hostTree(host.kind, host.tweak);
    if (!tree) {
      const dir = thisVmFixtureDir();
      if (!dir) throw new Error("the vm-guest kind needs agent/fixtures/this-vm (run from the source tree)");
      tree = readDirTree(dir);
    }
    const fs = new WritableMemoryHostFs(tree, host.hostname);
    const t = new SimulatedTuning(host, fs, stateDir);
    for (const e of await listEntries(stateDir)) {
      if (e.root !== fs.root || e.state !== "applied") continue;
      for (const c of e.changes) if (c.status === "applied") await fs.writeFile(c.rel, fromB64(c.after));
    }
    return t;
  }

  /** The sections the real collectors read from the tree as it is now (durations seeded, as hostSections does). */
  async sections(): Promise<ReportSections> {
    const sections = await collectSections(this.fs, SIMULATED_COLLECTORS);
    const rng = createRandom(`durations/${this.host.hostname}/tuned`);
    for (const s of Object.values(sections)) if (s) s.durationMs = Math.round((0.05 + rng.next() * (s.available ? 2.5 : 0.1)) * 1000) / 1000;
    return sections;
  }

  shape(): LatencyShape {
    return shapeForTree(this.host, this.fs);
  }

  /** The agent's job catalogue for this host: `tune` only (a migration is refused as unknown). */
  catalogue(onChange: (e: SimulatedTuningEvent) => void): Readonly<Record<string, CatalogueEntry>> {
    const tune: JobAction<z.infer<typeof agentTuneParamsSchema>> = {
      params: agentTuneParamsSchema,
      describe: (p) => `tune ${p.mode} ${p.action} (simulated ${this.host.hostname})`,
      run: async (p) => {
        const out = await runTune({ root: this.fs.root, stateDir: this.stateDir, mode: p.mode, action: p.action, params: p.params, applyId: p.applyId }, { fs: this.fs });
        if ((out.mode === "apply" && out.applyId !== null) || (out.mode === "rollback" && out.restored.length > 0)) onChange({ at: new Date(), outcome: out });
        return { outcome: out.ok ? "succeeded" : "failed", reason: out.error, result: out };
      },
      inspectAfterRestart: async (p) => `tuning ${p.mode} of ${p.action} was interrupted; run verify to see the host's values`,
    };
    return { tune: catalogueEntry(tune) };
  }
}
