/**
 * A small QEMU Machine Protocol client over a unix socket: reads the greeting, negotiates with
 * `qmp_capabilities`, runs commands tagged with ids (so replies can never be mismatched), delivers events
 * to listeners, and bounds every wait with a timeout. It talks JSON over the socket only — no shell, no
 * command line is ever built from a parameter.
 */
import net from "node:net";
import { z } from "zod";

const greetingSchema = z.object({
  QMP: z.object({
    version: z.object({ qemu: z.object({ major: z.number(), minor: z.number(), micro: z.number() }), package: z.string().optional() }),
    capabilities: z.array(z.string()),
  }),
});
export type QmpGreeting = z.infer<typeof greetingSchema>["QMP"];

const replySchema = z.union([
  z.object({ return: z.unknown(), id: z.string().optional() }),
  z.object({ error: z.object({ class: z.string(), desc: z.string() }), id: z.string().optional() }),
]);
const eventSchema = z.object({
  event: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
  timestamp: z.object({ seconds: z.number(), microseconds: z.number() }).optional(),
});
export type QmpEvent = z.infer<typeof eventSchema>;

/** QEMU refused a command (its own error class and description). */
export class QmpCommandError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`${command}: ${errorClass}: ${desc}`);
    this.name = "QmpCommandError";
  }
}

/** The socket or the protocol failed (connect refused, closed, timed out, garbage on the wire). */
export class QmpConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QmpConnectionError";
  }
}

type Pending = { command: string; resolve: (value: unknown) => void; reject: (err: Error) => void; timer: NodeJS.Timeout };

export type QmpConnectOptions = { timeoutMs?: number; signal?: AbortSignal };

const DEFAULT_TIMEOUT_MS = 5_000;

export class QmpClient {
  private buffer = "";
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(event: QmpEvent) => void>();
  private closedError: Error | null = null;

  private constructor(
    private readonly socket: net.Socket,
    readonly greeting: QmpGreeting,
    readonly path: string,
  ) {
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("close", () => this.fail(new QmpConnectionError(`QMP socket ${path} closed`)));
    socket.on("error", (err) => this.fail(new QmpConnectionError(`QMP socket ${path}: ${err.message}`)));
  }

  /** Connects, reads the greeting and leaves capabilities negotiation mode, so commands can run. */
  static async connect(path: string, options: QmpConnectOptions = {}): Promise<QmpClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const { socket, greeting, rest } = await new Promise<{ socket: net.Socket; greeting: QmpGreeting; rest: string }>((resolve, reject) => {
      const socket = net.createConnection({ path });
      socket.setEncoding("utf8");
      let text = "";
      const finish = (err: Error | null, value?: { greeting: QmpGreeting; rest: string }) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        socket.removeListener("data", onData);
        socket.removeListener("error", onError);
        socket.removeListener("close", onClose);
        if (err) {
          socket.destroy();
          reject(err);
        } else if (value) resolve({ socket, ...value });
      };
      const onData = (chunk: string) => {
        text += chunk;
        const nl = text.indexOf("\n");
        if (nl < 0) return;
        const parsed = greetingSchema.safeParse(safeJson(text.slice(0, nl)));
        if (!parsed.success) finish(new QmpConnectionError(`${path} did not greet like QMP: ${text.slice(0, Math.min(nl, 200))}`));
        else finish(null, { greeting: parsed.data.QMP, rest: text.slice(nl + 1) });
      };
      const onError = (err: Error) => finish(new QmpConnectionError(`cannot connect to QMP socket ${path}: ${err.message}`));
      const onClose = () => finish(new QmpConnectionError(`QMP socket ${path} closed before the greeting`));
      const onAbort = () => finish(new QmpConnectionError(`connecting to ${path} aborted`));
      const timer = setTimeout(() => finish(new QmpConnectionError(`no QMP greeting from ${path} within ${timeoutMs} ms`)), timeoutMs);
      socket.on("data", onData);
      socket.on("error", onError);
      socket.on("close", onClose);
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener("abort", onAbort, { once: true });
    });
    const client = new QmpClient(socket, greeting, path);
    if (rest.length > 0) client.onData(rest);
    await client.execute("qmp_capabilities", undefined, { timeoutMs });
    return client;
  }

  /** Runs one command; resolves with its `return`, rejects with QmpCommandError when QEMU refuses it. */
  execute(command: string, args?: Record<string, unknown>, options: { timeoutMs?: number } = {}): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = `nfvdeck-${this.nextId++}`;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpConnectionError(`${command}: no reply from ${this.path} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve, reject, timer });
      const message = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
      this.socket.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (event: QmpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first event that matches, or null on timeout / abort / close. */
  waitForEvent(match: (event: QmpEvent) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<QmpEvent | null> {
    if (this.closedError || signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = (event: QmpEvent | null) => {
        clearTimeout(timer);
        off();
        this.socket.removeListener("close", onClose);
        signal?.removeEventListener("abort", onClose);
        resolve(event);
      };
      const off = this.onEvent((event) => {
        if (match(event)) done(event);
      });
      const onClose = () => done(null);
      const timer = setTimeout(() => done(null), timeoutMs);
      this.socket.once("close", onClose);
      signal?.addEventListener("abort", onClose, { once: true });
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  close(): void {
    this.fail(new QmpConnectionError(`QMP client for ${this.path} closed`));
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line.length > 0) this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    const json = safeJson(line);
    const event = eventSchema.safeParse(json);
    if (event.success) {
      for (const listener of [...this.listeners]) listener(event.data);
      return;
    }
    const reply = replySchema.safeParse(json);
    // A reply without our id (or with an unknown one) cannot be ours: every command we send is tagged.
    if (!reply.success || reply.data.id === undefined) return;
    const pending = this.pending.get(reply.data.id);
    if (!pending) return;
    this.pending.delete(reply.data.id);
    clearTimeout(pending.timer);
    if ("error" in reply.data) pending.reject(new QmpCommandError(pending.command, reply.data.error.class, reply.data.error.desc));
    else pending.resolve(reply.data.return);
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(err);
      this.pending.delete(id);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
