/**
 * Real QEMU processes for the migration tests: a source VM and a destination waiting with `-incoming`,
 * both TCG, 256 MiB, -nodefaults, QMP on a unix socket each. Everything is killed and removed by
 * `cleanup()` (call it in afterEach).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { QmpClient } from "@/agent/actions/qmp-client";

export const QEMU_BINARY = "qemu-system-x86_64";

/**
 * A 512-byte boot sector that keeps dirtying guest memory: real mode → A20 on (port 0x92) → flat 32-bit
 * protected mode, then forever `inc byte [edi]` at every 4 KiB page from 1 MiB up to 1 MiB + `mib` MiB.
 * Hand-assembled (checked against `as --32` + `objdump -m i8086`); the loop's end address is patched in.
 */
export function dirtyingBootSector(mib: number): Buffer {
  if (!Number.isInteger(mib) || mib < 1 || mib > 200) throw new Error(`dirtying size ${mib} MiB out of range`);
  // prettier-ignore
  const code = [
    0xfa,                               // 7c00 cli
    0x31, 0xc0,                         // 7c01 xor ax,ax
    0x8e, 0xd8,                         // 7c03 mov ds,ax
    0xe4, 0x92,                         // 7c05 in al,0x92
    0x0c, 0x02,                         // 7c07 or al,2          (fast A20)
    0xe6, 0x92,                         // 7c09 out 0x92,al
    0x0f, 0x01, 0x16, 0x58, 0x7c,       // 7c0b lgdt [0x7c58]
    0x0f, 0x20, 0xc0,                   // 7c10 mov eax,cr0
    0x66, 0x83, 0xc8, 0x01,             // 7c13 or eax,1
    0x0f, 0x22, 0xc0,                   // 7c17 mov cr0,eax
    0xea, 0x1f, 0x7c, 0x08, 0x00,       // 7c1a jmp 0x08:0x7c1f
    0x66, 0xb8, 0x10, 0x00,             // 7c1f mov ax,0x10      (32-bit code from here)
    0x8e, 0xd8,                         // 7c23 mov ds,ax
    0x8e, 0xc0,                         // 7c25 mov es,ax
    0x8e, 0xd0,                         // 7c27 mov ss,ax
    0xbf, 0x00, 0x00, 0x10, 0x00,       // 7c29 outer: mov edi,0x100000
    0xfe, 0x07,                         // 7c2e inner: inc byte [edi]
    0x81, 0xc7, 0x00, 0x10, 0x00, 0x00, // 7c30 add edi,0x1000
    0x81, 0xff, 0x00, 0x00, 0x00, 0x00, // 7c36 cmp edi,END (patched below, at offset 0x38)
    0x72, 0xf0,                         // 7c3c jb inner
    0xeb, 0xe9,                         // 7c3e jmp outer
  ];
  const sector = Buffer.alloc(512);
  Buffer.from(code).copy(sector, 0);
  sector.writeUInt32LE(0x100000 + mib * 1024 * 1024, 0x38);
  // GDT at 0x40 (null, flat code 0x08, flat data 0x10), its descriptor at 0x58: limit 23, base 0x7c40.
  sector.writeBigUInt64LE(0n, 0x40);
  sector.writeBigUInt64LE(0x00cf9a000000ffffn, 0x48);
  sector.writeBigUInt64LE(0x00cf92000000ffffn, 0x50);
  sector.writeUInt16LE(23, 0x58);
  sector.writeUInt32LE(0x7c40, 0x5a);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

export type QemuProcess = { qmpSocket: string; child: ChildProcess; stderr: () => string };

export type QemuPair = {
  dir: string;
  source: QemuProcess;
  dest: QemuProcess;
  uri: string;
  /** Kills both QEMU processes and removes the directory. */
  cleanup: () => Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function baseArgs(qmpSocket: string, bootImage: string | null): string[] {
  const args = ["-machine", "pc,accel=tcg", "-m", "256", "-nodefaults", "-no-user-config", "-display", "none"];
  args.push("-qmp", `unix:${qmpSocket},server=on,wait=off`);
  // A floppy works with -nodefaults: the pc machine's ISA floppy controller is built in.
  if (bootImage !== null) args.push("-drive", `file=${bootImage},format=raw,if=floppy,readonly=on`);
  return args;
}

async function startQemu(args: string[], qmpSocket: string): Promise<QemuProcess> {
  const child = spawn(QEMU_BINARY, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const deadline = Date.now() + 15_000;
  while (!existsSync(qmpSocket)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`QEMU did not open ${qmpSocket} (exit ${child.exitCode}): ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  // The socket file appears at bind(), a moment before QEMU listens on it.
  while (!(await canConnect(qmpSocket))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`QEMU does not accept connections on ${qmpSocket} (exit ${child.exitCode}): ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { qmpSocket, child, stderr: () => stderr };
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createConnection({ path: socketPath });
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/** One VM with a QMP socket in `dir` (no migration peer), e.g. to test the QMP client itself. */
export async function startQemuVm(dir: string, name = "vm"): Promise<QemuProcess> {
  const qmpSocket = path.join(dir, `${name}.qmp`);
  return startQemu(baseArgs(qmpSocket, null), qmpSocket);
}

/** A source VM (idle, or running the dirtying boot sector) and a destination listening on a free port. */
export async function startQemuPair(options: { dirtyMib?: number } = {}): Promise<QemuPair> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-migrate-"));
  const processes: QemuProcess[] = [];
  const cleanup = async () => {
    for (const p of processes) await killQemu(p);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let bootImage: string | null = null;
    if (options.dirtyMib !== undefined) {
      bootImage = path.join(dir, "dirty.img");
      writeFileSync(bootImage, dirtyingBootSector(options.dirtyMib));
    }
    const source = await startQemu(baseArgs(path.join(dir, "src.qmp"), bootImage), path.join(dir, "src.qmp"));
    processes.push(source);
    const port = await freePort();
    const destSocket = path.join(dir, "dest.qmp");
    const dest = await startQemu([...baseArgs(destSocket, bootImage), "-incoming", `tcp:127.0.0.1:${port}`], destSocket);
    processes.push(dest);
    return { dir, source, dest, uri: `tcp:127.0.0.1:${port}`, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

export async function killQemu(p: QemuProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.child.once("exit", () => resolve()));
  p.child.kill("SIGKILL");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
}

/** The dirtying loop's code range (see dirtyingBootSector). */
const LOOP_START = 0x7c29;
const LOOP_END = 0x7c40;

/** Waits until the guest CPU executes the dirtying loop (SeaBIOS has booted the floppy), reading EIP over QMP. */
export async function waitUntilDirtying(qmpSocket: string, timeoutMs = 20_000): Promise<void> {
  const client = await QmpClient.connect(qmpSocket);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await client.execute("human-monitor-command", { "command-line": "info registers" });
      const eip = typeof text === "string" ? /EIP=([0-9a-f]+)/i.exec(text)?.[1] : undefined;
      if (eip !== undefined && parseInt(eip, 16) >= LOOP_START && parseInt(eip, 16) < LOOP_END) return;
      if (Date.now() > deadline) throw new Error(`guest not in the dirtying loop after ${timeoutMs} ms (EIP=${eip ?? "?"})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.close();
  }
}

/** One command on a fresh QMP connection (to check QEMU's own view independently of the code under test). */
export async function qmp(qmpSocket: string, command: string, args?: Record<string, unknown>): Promise<unknown> {
  const client = await QmpClient.connect(qmpSocket);
  try {
    return await client.execute(command, args);
  } finally {
    client.close();
  }
}
