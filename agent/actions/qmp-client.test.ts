import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { QmpClient, QmpCommandError, QmpConnectionError, type QmpEvent } from "@/agent/actions/qmp-client";
import { killQemu, startQemuVm } from "@/agent/actions/test-support/qemu";

const GREETING = JSON.stringify({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: "test" }, capabilities: ["oob"] } });

type Handler = (message: { execute: string; id?: string; arguments?: unknown }, reply: (line: unknown) => void) => void;

let dir: string;
let server: net.Server | null = null;
const sockets: net.Socket[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-qmp-"));
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

/** A fake QMP server: sends `greeting` (raw text) then hands every command line to `handler`. */
async function fakeQmp(handler: Handler, greeting: string | null = GREETING): Promise<string> {
  const socketPath = path.join(dir, "fake.qmp");
  server = net.createServer((socket) => {
    sockets.push(socket);
    socket.setEncoding("utf8");
    if (greeting !== null) socket.write(`${greeting}\r\n`);
    let buffer = "";
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const message = JSON.parse(buffer.slice(0, nl)) as { execute: string; id?: string };
        buffer = buffer.slice(nl + 1);
        handler(message, (line) => socket.write(`${JSON.stringify(line)}\r\n`));
      }
    });
  });
  await new Promise<void>((resolve) => server?.listen(socketPath, resolve));
  return socketPath;
}

const negotiate: Handler = (m, reply) => {
  if (m.execute === "qmp_capabilities") reply({ return: {}, id: m.id });
};

describe("QmpClient against a fake server", () => {
  it("greets, negotiates, and matches replies to commands by id even out of order", async () => {
    let held: { id?: string } | null = null;
    const socket = await fakeQmp((m, reply) => {
      negotiate(m, reply);
      if (m.execute === "slow") held = m;
      if (m.execute === "fast") {
        reply({ return: { which: "fast" }, id: m.id });
        reply({ return: { which: "slow" }, id: held?.id });
      }
    });
    const client = await QmpClient.connect(socket);
    expect(client.greeting.version.qemu).toEqual({ major: 7, minor: 2, micro: 22 });
    const slow = client.execute("slow");
    const fast = client.execute("fast");
    expect(await fast).toEqual({ which: "fast" });
    expect(await slow).toEqual({ which: "slow" });
    client.close();
  });

  it("ignores replies without our id, delivers events, and waitForEvent resolves on a match", async () => {
    const socket = await fakeQmp((m, reply) => {
      negotiate(m, reply);
      if (m.execute === "go") {
        reply({ return: "stray" });
        reply({ event: "MIGRATION", data: { status: "active" }, timestamp: { seconds: 1, microseconds: 2 } });
        reply({ event: "MIGRATION_PASS", data: { pass: 2 }, timestamp: { seconds: 1, microseconds: 3 } });
        reply({ return: "mine", id: m.id });
      }
    });
    const client = await QmpClient.connect(socket);
    const seen: QmpEvent[] = [];
    const off = client.onEvent((e) => seen.push(e));
    const pass = client.waitForEvent((e) => e.event === "MIGRATION_PASS", 2_000);
    expect(await client.execute("go")).toBe("mine");
    expect((await pass)?.data).toEqual({ pass: 2 });
    expect(seen.map((e) => e.event)).toEqual(["MIGRATION", "MIGRATION_PASS"]);
    off();
    expect(await client.waitForEvent(() => true, 50)).toBeNull();
    client.close();
  });

  it("a refused command rejects with QEMU's error class and description", async () => {
    const socket = await fakeQmp((m, reply) => {
      negotiate(m, reply);
      if (m.execute === "migrate_set_downtime") reply({ error: { class: "CommandNotFound", desc: "The command migrate_set_downtime has not been found" }, id: m.id });
    });
    const client = await QmpClient.connect(socket);
    const err = await client.execute("migrate_set_downtime", { value: 0.01 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpCommandError);
    expect(err).toMatchObject({ errorClass: "CommandNotFound", command: "migrate_set_downtime" });
    client.close();
  });

  it("times out a command that gets no reply, and fails pending commands when the socket closes", async () => {
    const socket = await fakeQmp((m, reply) => {
      negotiate(m, reply);
      if (m.execute === "hang-up") for (const s of sockets) s.end();
    });
    const client = await QmpClient.connect(socket);
    await expect(client.execute("silent", undefined, { timeoutMs: 100 })).rejects.toThrow(/silent: no reply .* within 100 ms/);
    const pending = client.execute("pending");
    await expect(client.execute("hang-up")).rejects.toBeInstanceOf(QmpConnectionError);
    await expect(pending).rejects.toThrow(/closed/);
    expect(client.closed).toBe(true);
    await expect(client.execute("after")).rejects.toThrow(/closed/);
  });

  it.each([
    { name: "not QMP", greeting: '{"hello":"world"}', error: /did not greet like QMP/ },
    { name: "garbage", greeting: "SSH-2.0-OpenSSH", error: /did not greet like QMP/ },
  ])("refuses a peer that does not greet like QMP ($name)", async ({ greeting, error }) => {
    const socket = await fakeQmp(negotiate, greeting);
    await expect(QmpClient.connect(socket)).rejects.toThrow(error);
  });

  it("times out a peer that never greets, and reports a missing socket", async () => {
    const socket = await fakeQmp(negotiate, null);
    await expect(QmpClient.connect(socket, { timeoutMs: 150 })).rejects.toThrow(/no QMP greeting .* within 150 ms/);
    await expect(QmpClient.connect(path.join(dir, "absent.qmp"))).rejects.toThrow(/cannot connect to QMP socket .*ENOENT/);
  });
});

describe("QmpClient against real QEMU", () => {
  it("negotiates, probes, and sees QEMU 7.2 refuse the removed migrate_set_downtime", { timeout: 30_000 }, async () => {
    const vm = await startQemuVm(dir);
    try {
      const client = await QmpClient.connect(vm.qmpSocket);
      expect(client.greeting.version.qemu.major).toBeGreaterThanOrEqual(7);
      expect(await client.execute("query-status")).toMatchObject({ status: "running", running: true });
      const params = (await client.execute("query-migrate-parameters")) as Record<string, unknown>;
      expect(typeof params["downtime-limit"]).toBe("number");
      await expect(client.execute("migrate_set_downtime", { value: 0.01 })).rejects.toMatchObject({ errorClass: "CommandNotFound" });
      client.close();
    } finally {
      await killQemu(vm);
    }
  });
});
