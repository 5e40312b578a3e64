import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WritableHostFs } from "@/agent/hostfs";
import { runTune, type TuneRequest } from "@/agent/actions/tune/run-tune";
import { listEntries } from "@/agent/actions/tune/ledger";
import { TuneRequestError } from "@/agent/actions/tune/action";
import type { TuneActionId, TuneOutcome } from "@/server/contract/tuning";

const run = promisify(execFile);
// Copying and hashing 25 MB trees of 5000 files takes seconds each on a shared, loaded machine.
vi.setConfig({ testTimeout: 240_000 });
const REPO = path.resolve(import.meta.dirname, "../../..");
const FIXTURES = path.join(REPO, "agent/fixtures");
const TSX = path.join(REPO, "node_modules/.bin/tsx");
const scratch: string[] = [];

afterEach(() => {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A writable copy of a fixture tree and a state dir beside it (never inside it). */
function copyTree(name: string): { root: string; state: string } {
  const base = mkdtempSync(path.join(os.tmpdir(), `tune-${name}-`));
  scratch.push(base);
  const root = path.join(base, "root");
  cpSync(path.join(FIXTURES, name), root, { recursive: true });
  return { root, state: path.join(base, "state") };
}

/** Every file (content hash + mode) and directory under root. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.set(`${r}/`, "dir");
        walk(r);
      } else {
        const abs = path.join(root, r);
        out.set(r, `${(statSync(abs).mode & 0o7777).toString(8)}:${createHash("sha256").update(readFileSync(abs)).digest("hex")}`);
      }
    }
  };
  walk("");
  return out;
}

/** Paths (files and dirs) that differ between two snapshots. */
function changedPaths(a: Map<string, string>, b: Map<string, string>): string[] {
  const out = new Set<string>();
  for (const [k, v] of a) if (b.get(k) !== v) out.add(k);
  for (const k of b.keys()) if (!a.has(k)) out.add(k);
  return [...out].sort();
}

async function tune(t: { root: string; state: string }, mode: TuneRequest["mode"], action: TuneActionId, params: Record<string, string>, fs?: WritableHostFs): Promise<TuneOutcome> {
  return runTune({ root: t.root, stateDir: t.state, mode, action, params }, fs ? { fs } : {});
}

/** The CLI in a new process: what a rollback after an agent restart (or a reboot) looks like. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(TSX, [path.join(REPO, "agent/main.ts"), ...args], { cwd: REPO });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

function paramArgs(params: Record<string, string>): string[] {
  return Object.entries(params).flatMap(([k, v]) => ["--param", `${k}=${v}`]);
}

type Expect = "changes" | "none" | "unavailable";
const TREES = ["kvm4nfv-baseline", "ht-on-rdt", "ht-on-rdt-cdp", "amd-epyc", "this-vm", "broken-partial", "empty-tree", "partial-sysfs-isolated"] as const;

/** Per action: its parameters, and per tree what the plan must find (so an empty plan cannot pass by accident). */
const MATRIX: { action: TuneActionId; params: Record<string, string>; expect: Record<(typeof TREES)[number], Expect> }[] = [
  {
    action: "tune.sysctl.sched_rt_runtime_us",
    params: {},
    // kvm4nfv already has -1 at runtime, but not persisted: the plan still writes /etc/sysctl.d
    expect: { "kvm4nfv-baseline": "changes", "ht-on-rdt": "changes", "ht-on-rdt-cdp": "changes", "amd-epyc": "changes", "this-vm": "changes", "broken-partial": "changes", "empty-tree": "unavailable", "partial-sysfs-isolated": "unavailable" },
  },
  {
    action: "tune.governor",
    params: {},
    expect: { "kvm4nfv-baseline": "none", "ht-on-rdt": "changes", "ht-on-rdt-cdp": "changes", "amd-epyc": "changes", "this-vm": "none", "broken-partial": "none", "empty-tree": "none", "partial-sysfs-isolated": "none" },
  },
  {
    action: "tune.irq-affinity",
    params: {},
    // kvm4nfv: device IRQs are already off the isolated CPUs, default_smp_affinity is not
    expect: { "kvm4nfv-baseline": "changes", "ht-on-rdt": "changes", "ht-on-rdt-cdp": "changes", "amd-epyc": "none", "this-vm": "none", "broken-partial": "none", "empty-tree": "none", "partial-sysfs-isolated": "none" },
  },
  {
    action: "tune.irqbalance-ban",
    params: {},
    expect: { "kvm4nfv-baseline": "none", "ht-on-rdt": "changes", "ht-on-rdt-cdp": "changes", "amd-epyc": "none", "this-vm": "none", "broken-partial": "unavailable", "empty-tree": "none", "partial-sysfs-isolated": "none" },
  },
  {
    action: "tune.cstates",
    params: {},
    // kvm4nfv: its isolated CPUs already have every state but POLL disabled
    expect: { "kvm4nfv-baseline": "none", "ht-on-rdt": "changes", "ht-on-rdt-cdp": "changes", "amd-epyc": "changes", "this-vm": "changes", "broken-partial": "none", "empty-tree": "none", "partial-sysfs-isolated": "none" },
  },
  {
    action: "tune.hugepages",
    params: { size: "2M", count: "128" },
    expect: { "kvm4nfv-baseline": "changes", "ht-on-rdt": "changes", "ht-on-rdt-cdp": "changes", "amd-epyc": "changes", "this-vm": "changes", "broken-partial": "unavailable", "empty-tree": "unavailable", "partial-sysfs-isolated": "unavailable" },
  },
  {
    action: "tune.cat",
    params: { group: "rt-vnf", mask: "7f0" },
    expect: { "kvm4nfv-baseline": "unavailable", "ht-on-rdt": "changes", "ht-on-rdt-cdp": "changes", "amd-epyc": "unavailable", "this-vm": "unavailable", "broken-partial": "unavailable", "empty-tree": "unavailable", "partial-sysfs-isolated": "unavailable" },
  },
  {
    action: "tune.cmdline",
    params: { args: "nohz_full=4-19,44-59 tsc=reliable", remove: "rhgb" },
    expect: { "kvm4nfv-baseline": "changes", "ht-on-rdt": "changes", "ht-on-rdt-cdp": "changes", "amd-epyc": "changes", "this-vm": "unavailable", "broken-partial": "unavailable", "empty-tree": "unavailable", "partial-sysfs-isolated": "unavailable" },
  },
];

/** Trees whose rollbacks run in a new process (the CLI): a process start costs seconds on a loaded machine. The
 * in-process rollbacks of the other trees also read the ledger back from disk (runTune keeps no state). */
const NEW_PROCESS_TREES = new Set(["ht-on-rdt", "amd-epyc"]);

describe("every action on a writable copy of every fixture tree", () => {
  for (const tree of TREES) {
    it(`${tree}: plan touches nothing, apply only what it planned, verify passes, rollback${NEW_PROCESS_TREES.has(tree) ? " (new process)" : ""} restores byte for byte`, async () => {
      const t = copyTree(tree);
      const original = snapshot(t.root);
      for (const m of MATRIX) {
        const label = `${tree} ${m.action}`;
        const plan = await tune(t, "plan", m.action, m.params);
        expect(plan.mode).toBe("plan");
        if (plan.mode !== "plan") continue;
        expect(changedPaths(original, snapshot(t.root)), `${label}: plan wrote`).toEqual([]);
        const expected = m.expect[tree];
        if (expected === "unavailable") {
          expect(plan.ok, `${label}: plan should fail here`).toBe(false);
          expect(plan.error).toBeTruthy();
          const apply = await tune(t, "apply", m.action, m.params);
          expect(apply.ok).toBe(false);
          expect(changedPaths(original, snapshot(t.root)), `${label}: failed apply wrote`).toEqual([]);
          continue;
        }
        expect(plan.ok, `${label}: ${plan.error}`).toBe(true);
        expect(plan.changes.length > 0, `${label}: expected ${expected}, plan has ${plan.changes.length} change(s)`).toBe(expected === "changes");
        for (const c of plan.changes) {
          expect(c.current === null ? null : readFileSync(path.join(t.root, c.path)).toString("utf8"), `${label}: current of ${c.path}`).toBe(c.current);
        }

        const apply = await tune(t, "apply", m.action, m.params);
        expect(apply.ok, `${label}: ${apply.error}`).toBe(true);
        if (apply.mode !== "apply") continue;
        const afterApply = snapshot(t.root);
        const written = changedPaths(original, afterApply).filter((p) => !p.endsWith("/"));
        expect(written, `${label}: apply wrote exactly the planned files`).toEqual(plan.changes.map((c) => c.path.slice(1)).sort());
        for (const c of plan.changes) expect(readFileSync(path.join(t.root, c.path), "utf8")).toBe(c.target);
        // directories apply created hold only planned files
        for (const d of changedPaths(original, afterApply).filter((p) => p.endsWith("/"))) expect(plan.changes.some((c) => c.path.startsWith(`/${d}`))).toBe(true);

        const verify = await tune(t, "verify", m.action, m.params);
        expect(verify.ok, `${label}: ${verify.error}`).toBe(true);
        expect(verify.rebootRequired).toBe(m.action === "tune.cmdline" && expected === "changes");
        if (expected === "none") {
          expect(apply.applyId).toBeNull();
          continue;
        }
        expect(apply.applyId).toBeTruthy();

        let outcome: TuneOutcome;
        if (NEW_PROCESS_TREES.has(tree)) {
          const rb = await cli(["tune", "rollback", "--root", t.root, "--state", t.state, "--action", m.action, "--json"]);
          expect(rb.code, `${label}: ${rb.stderr}${rb.stdout}`).toBe(0);
          outcome = JSON.parse(rb.stdout) as TuneOutcome;
        } else {
          outcome = await tune(t, "rollback", m.action, {});
        }
        expect(outcome.ok, `${label}: ${outcome.error}`).toBe(true);
        expect(outcome.mode === "rollback" && outcome.restored.length).toBe(plan.changes.length);
        expect(changedPaths(original, snapshot(t.root)), `${label}: rollback left differences`).toEqual([]);
      }
      const entries = await listEntries(t.state);
      expect(entries.every((e) => e.state === "rolled-back")).toBe(true);
      expect(entries.length).toBe(MATRIX.filter((m) => m.expect[tree] === "changes").length);
    });
  }
});

/** A kernel that refuses some writes, the way it refuses smp_affinity_list of a managed IRQ (EIO). */
class RefusingFs extends WritableHostFs {
  constructor(
    root: string,
    private readonly refuse: Set<string>,
    private readonly code = "EIO",
  ) {
    super(root);
  }
  override async writeFile(rel: string, data: Buffer): Promise<string[]> {
    if (this.refuse.has(rel)) throw Object.assign(new Error(`${this.code}: write ${rel}`), { code: this.code });
    return super.writeFile(rel, data);
  }
}

describe("tune.irq-affinity", () => {
  it("leaves IRQs debugfs marks kernel-managed, moves the others off the isolated CPUs", async () => {
    const t = copyTree("amd-epyc");
    const params = { isolated: "8-15,24-31" };
    const plan = await tune(t, "plan", "tune.irq-affinity", params);
    if (plan.mode !== "plan") throw new Error("plan");
    expect(plan.ok).toBe(true);
    const byPath = new Map(plan.changes.map((c) => [c.path, c.target]));
    expect(byPath.get("/proc/irq/40/smp_affinity_list")).toBe("0-7,16-23\n");
    expect(byPath.get("/proc/irq/9/smp_affinity_list")).toBe("0-7,16-23\n");
    expect(plan.skipped.map((s) => s.path).sort()).toEqual(["/proc/irq/42/smp_affinity_list", "/proc/irq/44/smp_affinity_list"]);
    expect(plan.skipped.every((s) => s.reason.startsWith("not movable (kernel-managed)"))).toBe(true);
    expect(await tune(t, "apply", "tune.irq-affinity", params)).toMatchObject({ ok: true });
    expect(await tune(t, "verify", "tune.irq-affinity", params)).toMatchObject({ ok: true });
  });

  it("a write the kernel refuses is reported 'not movable (kernel-managed)', not a failed action; verify and rollback still work", async () => {
    const t = copyTree("ht-on-rdt");
    rmSync(path.join(t.root, "sys/kernel/debug"), { recursive: true, force: true }); // no debugfs: the refusal is the only signal
    const original = snapshot(t.root);
    const plan = await tune(t, "plan", "tune.irq-affinity", {});
    if (plan.mode !== "plan") throw new Error("plan");
    const victim = plan.changes.find((c) => /^\/proc\/irq\/\d+\/smp_affinity_list$/.test(c.path));
    if (!victim) throw new Error("expected an IRQ to move on ht-on-rdt");
    const fs = new RefusingFs(t.root, new Set([victim.path.slice(1)]));
    const apply = await tune(t, "apply", "tune.irq-affinity", {}, fs);
    if (apply.mode !== "apply") throw new Error("apply");
    expect(apply.ok).toBe(true);
    const refused = apply.changes.filter((c) => c.status === "refused");
    expect(refused.map((c) => c.path)).toEqual([victim.path]);
    expect(refused[0]?.note).toBe("not movable (kernel-managed) (EIO)");
    expect(apply.changes.filter((c) => c.status === "applied").length).toBe(plan.changes.length - 1);
    expect(readFileSync(path.join(t.root, victim.path), "utf8")).toBe(victim.current);
    const verify = await tune(t, "verify", "tune.irq-affinity", {}, fs);
    expect(verify.ok).toBe(true);
    expect(verify.skipped.some((s) => s.path === victim.path && s.reason.includes("kernel-managed"))).toBe(true);
    expect(await tune(t, "rollback", "tune.irq-affinity", {}, fs)).toMatchObject({ ok: true });
    expect(changedPaths(original, snapshot(t.root))).toEqual([]);
  });

  it("an unexpected write error mid-apply undoes the writes already made (ledger entry: failed)", async () => {
    const t = copyTree("ht-on-rdt");
    const original = snapshot(t.root);
    const plan = await tune(t, "plan", "tune.sysctl.sched_rt_runtime_us", {});
    if (plan.mode !== "plan") throw new Error("plan");
    expect(plan.changes.map((c) => c.path)).toEqual(["/proc/sys/kernel/sched_rt_runtime_us", "/etc/sysctl.d/99-nfvdeck.conf"]);
    const fs = new RefusingFs(t.root, new Set(["etc/sysctl.d/99-nfvdeck.conf"]), "EROFS");
    const apply = await tune(t, "apply", "tune.sysctl.sched_rt_runtime_us", {}, fs);
    expect(apply.ok).toBe(false);
    expect(apply.error).toMatch(/99-nfvdeck\.conf.*EROFS.*undone/);
    expect(changedPaths(original, snapshot(t.root))).toEqual([]);
    expect((await listEntries(t.state)).map((e) => e.state)).toEqual(["failed"]);
  });
});

describe("tune.irqbalance-ban", () => {
  it("keeps the admin's own banned list in the union and restores their file byte for byte on rollback (new process)", async () => {
    const t = copyTree("kvm4nfv-baseline");
    const file = path.join(t.root, "etc/sysconfig/irqbalance");
    const before = readFileSync(file, "utf8");
    expect(before).toContain("IRQBALANCE_BANNED_CPUS=f,8000f800\n"); // the admin's: CPUs 11-15,31-35
    const params = { cpus: "2-15,31-35" };
    expect(await tune(t, "apply", "tune.irqbalance-ban", params)).toMatchObject({ ok: true });
    const after = readFileSync(file, "utf8");
    expect(after).toContain("IRQBALANCE_BANNED_CPUS=f,8000f800\n");
    expect(after).toContain('IRQBALANCE_BANNED_CPULIST="2-15,31-35"\n');
    expect(after.startsWith(before)).toBe(true);
    expect(await tune(t, "verify", "tune.irqbalance-ban", params)).toMatchObject({ ok: true });
    const rb = await cli(["tune", "rollback", "--root", t.root, "--state", t.state, "--action", "tune.irqbalance-ban", "--json"]);
    expect(rb.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("extends an admin's IRQBALANCE_BANNED_CPULIST line in place and says the running daemon must restart", async () => {
    const t = copyTree("ht-on-rdt");
    const file = path.join(t.root, "etc/sysconfig/irqbalance");
    const before = readFileSync(file, "utf8").replace("#IRQBALANCE_BANNED_CPULIST=\n", "IRQBALANCE_BANNED_CPULIST=0-1 # keep off the IPMI CPUs\n");
    writeFileSync(file, before);
    const apply = await tune(t, "apply", "tune.irqbalance-ban", {});
    if (apply.mode !== "apply") throw new Error("apply");
    expect(readFileSync(file, "utf8")).toBe(before.replace("IRQBALANCE_BANNED_CPULIST=0-1 #", "IRQBALANCE_BANNED_CPULIST=0-1,4-19,44-59 #"));
    expect(apply.notes.some((n) => n.includes("irqbalance (pid 1187) runs without banning 4-19,44-59"))).toBe(true);
    expect(await tune(t, "rollback", "tune.irqbalance-ban", {})).toMatchObject({ ok: true });
    expect(readFileSync(file, "utf8")).toBe(before);
  });
});

describe("tune.cmdline", () => {
  const params = { args: "nohz_full=4-19,44-59 isolcpus=managed_irq,domain,4-19,44-59 skew_tick=1", remove: "rhgb quiet" };

  it("RHEL-style (BLS entries): reboot required until /proc/cmdline shows the change, then verify passes", async () => {
    const t = copyTree("ht-on-rdt");
    mkdirSync(path.join(t.root, "proc/sys/kernel/random"), { recursive: true });
    writeFileSync(path.join(t.root, "proc/sys/kernel/random/boot_id"), "8c1e0a7e-6a1c-4a4e-9d6b-3f1f1f0e2a11\n", { flag: "w" });
    const entry = "boot/loader/entries/0f9e6c1d2b3a4f5e8d7c6b5a49382716-5.14.0-362.8.1.el9_3.x86_64.conf";
    const plan = await tune(t, "plan", "tune.cmdline", params);
    if (plan.mode !== "plan") throw new Error("plan");
    expect(plan.rebootRequired).toBe(true);
    expect(plan.changes.map((c) => c.path).sort()).toEqual(["/boot/loader/entries/0f9e6c1d2b3a4f5e8d7c6b5a49382716-0-rescue.conf", `/${entry}`, "/etc/default/grub"].sort());
    expect(plan.changes.every((c) => c.effect === "boot")).toBe(true);
    const apply = await tune(t, "apply", "tune.cmdline", params);
    expect(apply).toMatchObject({ ok: true, rebootRequired: true });
    const options = /^options (.*)$/m.exec(readFileSync(path.join(t.root, entry), "utf8"))?.[1] ?? "";
    expect(options).toContain("nohz_full=4-19,44-59 skew_tick=1");
    expect(options).not.toMatch(/\brhgb\b|\bquiet\b/);
    expect(await tune(t, "verify", "tune.cmdline", params)).toMatchObject({ ok: true, rebootRequired: true });

    // a reboot into the old command line (wrong entry chosen): verification fails
    writeFileSync(path.join(t.root, "proc/sys/kernel/random/boot_id"), "11111111-2222-3333-4444-555555555555\n");
    const wrong = await tune(t, "verify", "tune.cmdline", params);
    expect(wrong).toMatchObject({ ok: false, rebootRequired: false });
    expect(wrong.error).toMatch(/rebooted but the running kernel does not have the new command line/);

    // the reboot the report shows: the new /proc/cmdline
    writeFileSync(path.join(t.root, "proc/cmdline"), `BOOT_IMAGE=(hd0,gpt2)/vmlinuz-5.14.0-362.8.1.el9_3.x86_64 ${options}\n`);
    const ok = await tune(t, "verify", "tune.cmdline", params);
    expect(ok).toMatchObject({ ok: true, rebootRequired: false });
    // undoing a change the running kernel already uses needs another reboot
    const rb = await tune(t, "rollback", "tune.cmdline", {});
    expect(rb).toMatchObject({ ok: true, rebootRequired: true });
  });

  it("Debian-style (/etc/default/grub): GRUB_CMDLINE_LINUX edited, GRUB_CMDLINE_LINUX_DEFAULT loses the keys, reboot required until reported", async () => {
    const t = copyTree("amd-epyc");
    const original = snapshot(t.root);
    const p = { args: "isolcpus=managed_irq,domain,8-15,24-31 nohz_full=8-15,24-31", remove: "quiet" };
    const apply = await tune(t, "apply", "tune.cmdline", p);
    expect(apply).toMatchObject({ ok: true, rebootRequired: true });
    const grub = readFileSync(path.join(t.root, "etc/default/grub"), "utf8");
    expect(grub).toContain('GRUB_CMDLINE_LINUX="amd_iommu=on iommu=pt default_hugepagesz=2M hugepagesz=2M hugepages=4096 isolcpus=managed_irq,domain,8-15,24-31 nohz_full=8-15,24-31"\n');
    expect(grub).toContain('GRUB_CMDLINE_LINUX_DEFAULT="splash"\n');
    expect(await tune(t, "verify", "tune.cmdline", p)).toMatchObject({ ok: true, rebootRequired: true });
    const rb = await cli(["tune", "rollback", "--root", t.root, "--state", t.state, "--action", "tune.cmdline", "--json"]);
    expect(rb.code).toBe(0);
    expect(JSON.parse(rb.stdout)).toMatchObject({ mode: "rollback", ok: true, rebootRequired: false });
    expect(changedPaths(original, snapshot(t.root))).toEqual([]);
    // apply again, then "reboot": the report's /proc/cmdline carries it
    expect(await tune(t, "apply", "tune.cmdline", p)).toMatchObject({ ok: true });
    writeFileSync(path.join(t.root, "proc/cmdline"), "BOOT_IMAGE=/boot/vmlinuz-5.15.0-91-generic root=UUID=2f1c9a3e-5b7d-4e61-9c0a-8d1e2f3a4b5c ro amd_iommu=on iommu=pt default_hugepagesz=2M hugepagesz=2M hugepages=4096 isolcpus=managed_irq,domain,8-15,24-31 nohz_full=8-15,24-31 splash\n");
    expect(await tune(t, "verify", "tune.cmdline", p)).toMatchObject({ ok: true, rebootRequired: false });
  });

  it("rollback refuses to overwrite a boot file someone edited after apply", async () => {
    const t = copyTree("kvm4nfv-baseline");
    expect(await tune(t, "apply", "tune.cmdline", { args: "tsc=reliable" })).toMatchObject({ ok: true });
    const grub = path.join(t.root, "etc/default/grub");
    writeFileSync(grub, `${readFileSync(grub, "utf8")}GRUB_TIMEOUT=1\n`);
    const rb = await tune(t, "rollback", "tune.cmdline", {});
    expect(rb.ok).toBe(false);
    expect(rb.error).toMatch(/changed since apply.*\/etc\/default\/grub/);
  });
});

describe("the CLI contract", () => {
  it("plan prints one JSON object with changes; verify with ok and rebootRequired; unknown action and bad parameters exit 2 with one stderr line", async () => {
    const t = copyTree("this-vm");
    const plan = await cli(["tune", "plan", "--root", t.root, "--state", t.state, "--action", "tune.sysctl.sched_rt_runtime_us", "--json"]);
    expect(plan.code).toBe(0);
    expect(plan.stdout.trim().split("\n")).toHaveLength(1);
    const p = JSON.parse(plan.stdout) as Record<string, unknown>;
    expect(p).toMatchObject({ mode: "plan", ok: true });
    expect(p.changes).toEqual([
      { path: "/proc/sys/kernel/sched_rt_runtime_us", current: "950000\n", target: "-1\n", effect: "runtime", note: "disable RT throttling now (sysctl -w)" },
      expect.objectContaining({ path: "/etc/sysctl.d/99-nfvdeck.conf", current: null, effect: "boot" }),
    ]);
    const verify = await cli(["tune", "verify", "--root", t.root, "--state", t.state, "--action", "tune.sysctl.sched_rt_runtime_us", "--json"]);
    expect(verify.code).toBe(1); // not applied yet: the host does not match
    expect(JSON.parse(verify.stdout)).toMatchObject({ mode: "verify", ok: false, rebootRequired: false });
    for (const bad of [
      ["--action", "tune.nope"],
      ["--action", "tune.hugepages", "--param", "count=many"],
      ["--action", "tune.cat", ...paramArgs({ mask: "7g0", group: "rt-vnf" })],
      ["--action", "tune.governor", "--param", "colour=blue"],
    ]) {
      const r = await cli(["tune", "plan", "--root", t.root, "--state", t.state, ...bad, "--json"]);
      expect(r.code, bad.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
    }
  });

  it("refuses a state directory inside the tree it tunes", async () => {
    const t = copyTree("empty-tree");
    await expect(runTune({ root: t.root, stateDir: path.join(t.root, "var/lib/nfvdeck"), mode: "plan", action: "tune.governor", params: {} })).rejects.toBeInstanceOf(TuneRequestError);
  });

  it("tune.cat validates masks against the CPU's limits (contiguous, within cbm_mask, ≥ min_cbm_bits)", async () => {
    const t = copyTree("ht-on-rdt-cdp");
    for (const [mask, why] of [["70f", /not contiguous/], ["fff0", /outside cbm_mask 7ff/], ["0", /at least 1/]] as const) {
      await expect(tune(t, "plan", "tune.cat", { group: "rt-vnf", mask })).rejects.toThrow(why);
    }
    const plan = await tune(t, "plan", "tune.cat", { group: "rt-vnf", mask: "7f0", domains: "1" });
    if (plan.mode !== "plan") throw new Error("plan");
    expect(plan.changes[0]?.target).toBe("L3DATA:0=600;1=7f0\nL3CODE:0=600;1=7f0\n    MB:0= 50;1=100\n");
  });
});
