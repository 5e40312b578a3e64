/**
 * One apply or rollback at a time on a host: the agent's job runner and any `agent tune` on the command
 * line take an exclusive flock(2) on the ledger directory (<state>/tuning) around plan + write + ledger
 * update. Node has no flock binding, so — as agent/resctrl-groups/lock.ts does — util-linux flock(1)
 * holds it with a fixed argv (no shell): `flock --exclusive --wait S <dir> cat`; the echo of a line we
 * write says the lock is held; closing cat's stdin releases it. The kernel drops the lock if this
 * process dies, so a crash never leaves the ledger locked.
 */
import { spawn } from "node:child_process";
import { ensureStateDir } from "@/agent/state";
import { ledgerDir } from "@/agent/actions/tune/ledger";

export class TuneLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TuneLockedError";
  }
}

/** How long a second apply waits for the first before giving up (seconds). */
export const TUNE_LOCK_WAIT_S = 3;

export async function withLedgerLock<T>(stateDir: string, work: () => Promise<T>, waitSeconds = TUNE_LOCK_WAIT_S, flockBinary = "flock"): Promise<T> {
  const dir = ledgerDir(stateDir);
  await ensureStateDir(dir);
  const child = spawn(flockBinary, ["--exclusive", "--wait", String(waitSeconds), "--conflict-exit-code", "75", dir, "cat"], { stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => {
    child.on("close", (code) => resolve(code));
    child.on("error", () => resolve(null));
  });
  const acquired = await new Promise<boolean>((resolve) => {
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString("utf8");
      if (out.includes("locked\n")) resolve(true);
    });
    void exited.then(() => resolve(false));
    child.stdin.on("error", () => resolve(false));
    child.stdin.write("locked\n");
  });
  if (!acquired) {
    const code = await exited;
    throw new TuneLockedError(
      code === 75
        ? `another tuning apply or rollback is running on this host (the ledger ${dir} stayed locked for ${waitSeconds} s); try again when it has finished`
        : `could not lock the ledger ${dir} with flock(1) (exit ${code ?? "spawn error"})`,
    );
  }
  try {
    return await work();
  } finally {
    child.stdin.end();
    await exited;
  }
}
