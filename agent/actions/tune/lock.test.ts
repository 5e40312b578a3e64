import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runTune } from "@/agent/actions/tune/run-tune";
import { listEntries } from "@/agent/actions/tune/ledger";

const run = promisify(execFile);
vi.setConfig({ testTimeout: 120_000 });
const REPO = path.resolve(import.meta.dirname, "../../..");
const TSX = path.join(REPO, "node_modules/.bin/tsx");
const scratch: string[] = [];
const holders: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const h of holders.splice(0)) h.stdin.end();
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
});

function copyTree(): { root: string; state: string } {
  const base = mkdtempSync(path.join(os.tmpdir(), "tune-lock-"));
  scratch.push(base);
  cpSync(path.join(REPO, "agent/fixtures/this-vm"), path.join(base, "root"), { recursive: true });
  return { root: path.join(base, "root"), state: path.join(base, "state") };
}

/** Another process holding LOCK_EX on the ledger directory (util-linux flock(1) around cat), until its stdin closes. */
async function holdLedgerLock(state: string): Promise<ChildProcessWithoutNullStreams> {
  const dir = path.join(state, "tuning");
  mkdirSync(dir, { recursive: true });
  const child = spawn("flock", ["--exclusive", dir, "cat"], { stdio: ["pipe", "pipe", "pipe"] });
  holders.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (b: Buffer) => b.toString().includes("held") && resolve());
    child.on("close", (code) => reject(new Error(`flock exited ${code}`)));
    child.stdin.write("held\n");
  });
  return child;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const r = await run(TSX, [path.join(REPO, "agent/main.ts"), ...args], { cwd: REPO });
    return { code: 0, stdout: r.stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "" };
  }
}

const PROC = "proc/sys/kernel/sched_rt_runtime_us";

describe("one apply or rollback at a time (flock on the ledger directory)", () => {
  it("an apply in a new process while another process holds the ledger lock is refused, touches nothing and leaves no ledger entry; once released it applies", async () => {
    const t = copyTree();
    const before = readFileSync(path.join(t.root, PROC), "utf8");
    const holder = await holdLedgerLock(t.state);
    const args = ["tune", "apply", "--root", t.root, "--state", t.state, "--action", "tune.sysctl.sched_rt_runtime_us", "--json"];
    const refused = await cli(args);
    expect(refused.code).toBe(1);
    const out = JSON.parse(refused.stdout) as { ok: boolean; error: string; changes: unknown[] };
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/^another tuning apply or rollback is running on this host \(the ledger .*tuning stayed locked for 3 s\)/);
    expect(out.changes).toEqual([]);
    expect(readFileSync(path.join(t.root, PROC), "utf8")).toBe(before);
    expect(readdirSync(path.join(t.state, "tuning"))).toEqual([]);

    // a rollback is a write too
    const rb = await runTune({ root: t.root, stateDir: t.state, mode: "rollback", action: "tune.sysctl.sched_rt_runtime_us", params: {} }, { lockWaitSeconds: 1 });
    expect(rb).toMatchObject({ ok: false, error: expect.stringMatching(/^another tuning apply or rollback is running/) });
    // a plan only reads: not blocked
    expect(await runTune({ root: t.root, stateDir: t.state, mode: "plan", action: "tune.sysctl.sched_rt_runtime_us", params: {} })).toMatchObject({ ok: true });

    holder.stdin.end();
    await new Promise((r) => holder.once("close", r));
    const applied = await cli(args);
    expect(applied.code).toBe(0);
    expect(readFileSync(path.join(t.root, PROC), "utf8")).toBe("-1\n");
  });

  it("two CLI processes applying at once: exactly one ledger entry with changes (the second plans after the first wrote, under the lock)", async () => {
    const t = copyTree();
    const args = ["tune", "apply", "--root", t.root, "--state", t.state, "--action", "tune.sysctl.sched_rt_runtime_us", "--json"];
    const [a, b] = await Promise.all([cli(args), cli(args)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const outs = [a, b].map((r) => JSON.parse(r.stdout) as { changes: unknown[]; notes: string[] });
    expect(outs.map((o) => o.changes.length).sort()).toEqual([0, 2]);
    expect(outs.find((o) => o.changes.length === 0)?.notes[0]).toBe("nothing to change: the host already matches");
    const entries = await listEntries(t.state);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.state).toBe("applied");
  });
});
