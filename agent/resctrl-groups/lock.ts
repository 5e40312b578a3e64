/**
 * The kernel's resctrl documentation asks cooperating tools to hold an exclusive flock(2) on the resctrl
 * mount point while they create, remove or move groups. Node has no flock binding, so the lock is held by
 * util-linux flock(1) run with a fixed argv (no shell): `flock --exclusive --wait S <root> cat`. flock(1)
 * opens the directory, takes LOCK_EX, then runs `cat`, which echoes a line we write: when the echo comes
 * back the lock is held. Closing cat's stdin ends cat, and flock(1) exits, releasing the lock.
 */
import { spawn } from "node:child_process";

export type ResctrlLock = <T>(work: () => Promise<T>) => Promise<T>;

export class ResctrlLockError extends Error {}

/** Runs `work` while holding LOCK_EX on `absRoot` (a directory). Rejects when the lock is not taken within waitSeconds. */
export function flockResctrl(absRoot: string, waitSeconds = 10, flockBinary = "flock"): ResctrlLock {
  return async <T>(work: () => Promise<T>): Promise<T> => {
    const child = spawn(flockBinary, ["--exclusive", "--wait", String(waitSeconds), absRoot, "cat"], { stdio: ["pipe", "pipe", "pipe"] });
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
      child.stdin.write("locked\n");
    });
    if (!acquired) {
      const code = await exited;
      throw new ResctrlLockError(`could not lock ${absRoot} with flock(1) within ${waitSeconds} s (exit ${code ?? "spawn error"})`);
    }
    try {
      return await work();
    } finally {
      child.stdin.end();
      await exited;
    }
  };
}

/** For trees nobody else changes (tests on fixture copies, dry runs). */
export const noLock: ResctrlLock = (work) => work();
