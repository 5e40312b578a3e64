import type { HostFs } from "@/agent/hostfs";
import type { VmEntry, VmMonitorSocket, VmsSection, VmThread } from "@/server/contract/sections/vms";
import { tryParseCpuList } from "@/server/domain/cpuset/cpuset";
import { Warnings } from "@/agent/collectors/values";

/** What read() gathers for one QEMU process: the raw texts, parsed by parseVms. */
export interface RawVmProcess {
  pid: number;
  /** /proc/PID/cmdline: NUL-separated argv */
  cmdline: string;
  tasks: { tid: number; comm: string | null; status: string | null }[];
}

const QEMU_BINARY = /^(?:qemu-system-[A-Za-z0-9_]+|qemu-kvm)$/;
const VCPU_THREAD = /^CPU (\d+)\/[A-Za-z]+$/;
/** single-threaded TCG runs every vCPU in one thread */
const ALL_VCPUS_THREAD = /^ALL CPUs\/[A-Za-z]+$/;
/** libvirt's per-domain directory, e.g. /var/lib/libvirt/qemu/domain-3-vnf-a (from master-key.aes and friends) */
const LIBVIRT_DOMAIN_DIR = /(\/[^,"\s]*\/domain-\d+-[^/,"\s]+)\//;
const MAX_TEXT = 1024;

export function argvOf(cmdline: string): string[] {
  const parts = cmdline.split("\0");
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function basename(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? p : p.slice(i + 1);
}

/** argv[0] of a QEMU system emulator? */
export function isQemuArgv(argv: readonly string[]): boolean {
  return argv.length > 0 && QEMU_BINARY.test(basename(argv[0]!));
}

/**
 * QEMU's keyval syntax: "a,b=1,c=x,,y" → [["", "a"], ["b", "1"], ["c", "x,y"]] (",," is a literal comma;
 * an item without "=" has the empty key: the option's implied key, or a bare flag such as "server").
 */
export function parseKeyval(text: string): [string, string][] {
  const items: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === ",") {
      if (text[i + 1] === ",") {
        current += ",";
        i++;
        continue;
      }
      items.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  items.push(current);
  return items.map((item) => {
    const eq = item.indexOf("=");
    return eq < 0 ? ["", item] : [item.slice(0, eq), item.slice(eq + 1)];
  });
}

function keyvalGet(items: readonly [string, string][], key: string): string | undefined {
  return items.find(([k]) => k === key)?.[1];
}

/** Option values by option name ("-name" and "--name" are the same option); later ones win where it matters. */
function optionValues(argv: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("-")) continue;
    const name = arg.replace(/^--?/, "");
    const value = argv[i + 1];
    // flags without a value (-enable-kvm, -nodefaults …) are recorded with "" and do not consume the next arg
    if (value === undefined || value.startsWith("-")) {
      out.set(name, [...(out.get(name) ?? []), ""]);
      continue;
    }
    out.set(name, [...(out.get(name) ?? []), value]);
    i++;
  }
  return out;
}

/** "unix:/p,server=on,wait=off" / "tcp:h:p,server" / "stdio" → transport and address, or null. */
function chardevSpec(spec: string): { transport: "unix" | "tcp"; address: string } | null {
  const first = parseKeyval(spec)[0]?.[1] ?? "";
  if (first.startsWith("unix:")) return { transport: "unix", address: first.slice(5) };
  if (first.startsWith("tcp:")) return { transport: "tcp", address: first.slice(4) };
  if (first.startsWith("telnet:")) return { transport: "tcp", address: first.slice(7) };
  return null;
}

function monitorsOf(argv: readonly string[], options: Map<string, string[]>): VmMonitorSocket[] {
  const out: VmMonitorSocket[] = [];
  for (const opt of ["qmp", "qmp-pretty"]) {
    for (const spec of options.get(opt) ?? []) {
      const s = chardevSpec(spec);
      if (s) out.push({ protocol: "qmp", ...s, address: s.address.slice(0, 4096), source: "qmp-option" });
    }
  }
  for (const spec of options.get("monitor") ?? []) {
    const s = chardevSpec(spec);
    if (s) out.push({ protocol: "hmp", ...s, address: s.address.slice(0, 4096), source: "monitor-option" });
  }
  // -chardev socket,id=charmonitor,path=…|fd=N … with -mon chardev=charmonitor,mode=control
  const chardevs = new Map<string, [string, string][]>();
  for (const spec of options.get("chardev") ?? []) {
    const kv = parseKeyval(spec);
    const id = keyvalGet(kv, "id");
    if (id !== undefined && kv[0]?.[0] === "" && kv[0][1] === "socket") chardevs.set(id, kv);
  }
  const domainDir = argv.map((a) => LIBVIRT_DOMAIN_DIR.exec(a)?.[1]).find((d) => d !== undefined) ?? null;
  for (const spec of options.get("mon") ?? []) {
    const kv = parseKeyval(spec);
    const dev = chardevs.get(keyvalGet(kv, "chardev") ?? "");
    if (!dev) continue;
    const protocol = keyvalGet(kv, "mode") === "control" ? "qmp" : "hmp";
    const path = keyvalGet(dev, "path");
    const host = keyvalGet(dev, "host");
    const port = keyvalGet(dev, "port");
    const fd = keyvalGet(dev, "fd");
    if (path !== undefined) out.push({ protocol, transport: "unix", address: path.slice(0, 4096), source: "chardev" });
    else if (port !== undefined) out.push({ protocol, transport: "tcp", address: `${host ?? ""}:${port}`.slice(0, 4096), source: "chardev" });
    else if (fd !== undefined && domainDir !== null && protocol === "qmp") {
      out.push({ protocol, transport: "unix", address: `${domainDir}/monitor.sock`.slice(0, 4096), source: "libvirt-domain-dir" });
    } else if (fd !== undefined) out.push({ protocol, transport: "fd", address: fd.slice(0, 64), source: "chardev" });
  }
  return out;
}

function nameOf(options: Map<string, string[]>): string | null {
  const spec = options.get("name")?.at(-1);
  if (spec === undefined || spec === "") return null;
  const kv = parseKeyval(spec);
  const name = keyvalGet(kv, "guest") ?? kv.find(([k]) => k === "")?.[1];
  return name === undefined || name === "" ? null : name.slice(0, MAX_TEXT);
}

function accelOf(options: Map<string, string[]>): string | null {
  const accel = options.get("accel")?.at(-1);
  if (accel !== undefined && accel !== "") {
    const kv = parseKeyval(accel);
    return (keyvalGet(kv, "accel") ?? kv[0]?.[1] ?? "").slice(0, MAX_TEXT) || null;
  }
  for (const opt of ["machine", "M"]) {
    const spec = options.get(opt)?.at(-1);
    const a = spec === undefined ? undefined : keyvalGet(parseKeyval(spec), "accel");
    if (a !== undefined && a !== "") return a.slice(0, MAX_TEXT);
  }
  return options.has("enable-kvm") ? "kvm" : null;
}

function smpOf(options: Map<string, string[]>): number | null {
  const spec = options.get("smp")?.at(-1);
  if (spec === undefined || spec === "") return null;
  const kv = parseKeyval(spec);
  const text = keyvalGet(kv, "cpus") ?? kv.find(([k]) => k === "")?.[1];
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

/** "Cpus_allowed_list:\t0-3,8" from a /proc/…/status text. */
export function parseCpusAllowed(status: string | null): number[] | null {
  if (status === null) return null;
  const m = /^Cpus_allowed_list:\s*(\S*)\s*$/m.exec(status);
  return m ? tryParseCpuList(m[1]!) : null;
}

/** Build the vms section from the raw texts of every QEMU process found (pure). */
export function parseVms(processes: readonly RawVmProcess[]): VmsSection {
  const warnings = new Warnings();
  const vms: VmEntry[] = [];
  for (const p of [...processes].sort((a, b) => a.pid - b.pid)) {
    const argv = argvOf(p.cmdline);
    if (!isQemuArgv(argv)) continue;
    const options = optionValues(argv);
    const vcpuThreads: VmThread[] = [];
    const emulatorThreads: VmThread[] = [];
    let named = false;
    for (const t of [...p.tasks].sort((a, b) => a.tid - b.tid)) {
      if (t.comm === null) continue; // exited between listing and reading
      const comm = t.comm.trim().slice(0, 64);
      const cpusAllowed = parseCpusAllowed(t.status);
      const vcpu = VCPU_THREAD.exec(comm);
      if (vcpu) {
        named = true;
        vcpuThreads.push({ tid: t.tid, comm, vcpu: Math.min(Number(vcpu[1]), 65535), cpusAllowed });
      } else if (ALL_VCPUS_THREAD.test(comm)) {
        named = true;
        vcpuThreads.push({ tid: t.tid, comm, vcpu: null, cpusAllowed });
      } else {
        emulatorThreads.push({ tid: t.tid, comm, vcpu: null, cpusAllowed });
      }
    }
    const name = nameOf(options);
    if (!named && emulatorThreads.length > 0) {
      warnings.add(`pid ${p.pid}${name ? ` (${name})` : ""}: threads are unnamed (QEMU without -name …,debug-threads=on): vCPU threads cannot be told from emulator threads`);
    }
    const emulatorCpus = [...new Set(emulatorThreads.flatMap((t) => t.cpusAllowed ?? []))].sort((a, b) => a - b);
    vms.push({
      pid: p.pid,
      binary: basename(argv[0]!).slice(0, MAX_TEXT),
      name,
      uuid: options.get("uuid")?.at(-1)?.slice(0, 64) || null,
      accel: accelOf(options),
      smpCpus: smpOf(options),
      monitors: monitorsOf(argv, options).slice(0, 64),
      threadsNamed: named,
      vcpuThreads,
      emulatorThreads,
      emulatorCpus,
    });
  }
  return { vms: vms.slice(0, 1024), warnings: warnings.items };
}

/** Numeric /proc entries. */
function pidEntries(names: readonly string[] | null): number[] {
  return (names ?? []).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/** Every QEMU process under proc/: its cmdline and, per thread, comm and status. */
export async function readRawVms(fs: HostFs): Promise<RawVmProcess[] | null> {
  const entries = await fs.listDir("proc");
  if (entries === null) return null;
  const out: RawVmProcess[] = [];
  for (const pid of pidEntries(entries)) {
    // A process can exit at any moment: every read is optional.
    const cmdline = await fs.readTextOptional(`proc/${pid}/cmdline`);
    if (cmdline === null || !isQemuArgv(argvOf(cmdline))) continue;
    const tasks: RawVmProcess["tasks"] = [];
    for (const tid of pidEntries(await fs.listDir(`proc/${pid}/task`).catch(() => null))) {
      tasks.push({
        tid,
        comm: await fs.readTextOptional(`proc/${pid}/task/${tid}/comm`),
        status: await fs.readTextOptional(`proc/${pid}/task/${tid}/status`),
      });
    }
    out.push({ pid, cmdline, tasks });
  }
  return out;
}

/** vms section, or null when there is no proc/ (an empty tree); [] when no QEMU runs. */
export async function read(fs: HostFs): Promise<VmsSection | null> {
  const raw = await readRawVms(fs);
  return raw === null ? null : parseVms(raw);
}
