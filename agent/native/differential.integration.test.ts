/**
 * Differential test: the native (Go) agent and the TypeScript agent (the reference) must build the same
 * report from the same host tree. The trees are generated with fast-check: a real fixture tree (trimmed
 * to a few CPUs so a case costs tens of milliseconds) with the files the collectors read mutated into
 * hostile-but-plausible contents — garbage/huge/negative/float/hex numbers, empty and missing files, CR
 * and CRLF line ends, NUL bytes, invalid UTF-8, emoji, long lines, padding, duplicate and unknown keys,
 * odd directory entries, QEMU and irqbalance processes, BIOS export files, kernel configs. `/` of this
 * machine is one more, fixed case.
 *
 * Per section: ok, available, hash and data must be equal (durationMs is a timing). When both agents
 * fail a section only ok/available are compared: an error text quotes the I/O error, and Go's
 * ("read …: is a directory") is not Node's ("EISDIR: illegal operation on a directory, read"). A schema
 * refusal ("section … failed its schema: …") is worded from the data alone, so that text is compared.
 *
 * Seed and size: NFVDECK_DIFF_SEED (default below), NFVDECK_DIFF_RUNS. A failure prints the seed and
 * fast-check's path: NFVDECK_DIFF_SEED=<seed> NFVDECK_DIFF_PATH=<path> replays just that case;
 * NFVDECK_DIFF_KEEP=1 keeps its tree, NFVDECK_DIFF_SHRINK=1 shrinks it, NFVDECK_DIFF_STATS=1 prints
 * what the cases reached.
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual, promisify } from "node:util";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { buildLocalReport } from "@/agent/report/collect";
import { tryParseCpuList } from "@/server/domain/cpuset/cpuset";

const run = promisify(execFile);
const NATIVE = import.meta.dirname;
const FIXTURES = path.join(NATIVE, "..", "fixtures");
/** Fixture trees the cases start from: RDT + irqbalance (Intel), a KVM host, AMD with debugfs, a VM. */
const BASES = ["ht-on-rdt", "kvm4nfv-baseline", "amd-epyc", "this-vm"] as const;
/** CPUs kept per base tree (plus their thread siblings): enough for cores, caches and groups to vary. */
const KEEP_CPUS = 4;
const SEED = Number(process.env.NFVDECK_DIFF_SEED ?? "1402");
/** ~60-130 ms a case on this 2-core box (both agents, one Go process each): 150 stay within ~20 s. */
const RUNS = Number(process.env.NFVDECK_DIFF_RUNS ?? "150");
const FIXED_TIME = new Date("2026-01-01T00:00:00.000Z");
/** Leaves of a live host that change from one read to the next on their own. */
const LIVE_VOLATILE = new Set(["total", "cpusWithCounts", "free", "resv", "surplus"]);

let dir = "";
let agent = "";
/** Per base: its trimmed copy and every path the collectors touched on it (read, listed, checked). */
const bases: { name: string; root: string; candidates: string[][]; tree: CaseTree }[] = [];

/** HostFs that remembers every path asked for, present or not: the candidates for mutation. */
class TouchRecordingHostFs extends HostFs {
  readonly touched = new Set<string>();
  override async readText(rel: string) {
    this.touched.add(rel);
    return super.readText(rel);
  }
  override async readBytes(rel: string) {
    this.touched.add(rel);
    return super.readBytes(rel);
  }
  override async listDir(rel: string) {
    this.touched.add(rel);
    return super.listDir(rel);
  }
  override async exists(rel: string) {
    this.touched.add(rel);
    return super.exists(rel);
  }
}

function filesUnder(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...filesUnder(root, r));
    else out.push(r);
  }
  return out.sort();
}

/**
 * Paths grouped by shape (digits as N: cpuN/cache/indexN/level), so a mutation picks a kind of file
 * first: /proc/cpuinfo is as likely a target as the hundreds of per-CPU cache files together.
 */
function byShape(paths: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const p of [...paths].sort()) {
    const shape = p.replace(/\d+/g, "N");
    groups.set(shape, [...(groups.get(shape) ?? []), p]);
  }
  return [...groups.keys()].sort().map((k) => groups.get(k)!);
}

/** Copies a fixture tree without the CPU directories beyond the first few CPUs and their siblings. */
function trimmedCopy(name: string, dest: string): void {
  const src = path.join(FIXTURES, name);
  const cpuDir = path.join(src, "sys/devices/system/cpu");
  const keep = new Set<number>();
  for (let cpu = 0; cpu < KEEP_CPUS; cpu++) {
    keep.add(cpu);
    for (const f of ["core_cpus_list", "thread_siblings_list"]) {
      const p = path.join(cpuDir, `cpu${cpu}`, "topology", f);
      if (existsSync(p)) for (const s of tryParseCpuList(readFileSync(p, "utf8")) ?? []) keep.add(s);
    }
  }
  cpSync(src, dest, {
    recursive: true,
    filter: (from) => {
      if (from.endsWith("expected-report.json") || from.endsWith("README.md")) return false;
      const m = /\/sys\/devices\/system\/cpu\/cpu(\d+)$/.exec(from);
      return m === null || keep.has(Number(m[1]));
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Hostile contents

const enc = (s: string) => Buffer.from(s, "utf8");

/** Generated bytes print short in a counterexample: length and the start as text. */
function printable(b: Buffer): Buffer {
  Object.defineProperty(b, fc.toStringMethod, { value: () => `bytes(${b.length}: ${JSON.stringify(b.subarray(0, 100).toString("latin1"))})` });
  return b;
}

const NUMBERS = [
  "0", "1", "-1", "-0", "007", "+5", "1.5", "-2.5", "1e3", "1E-3", "0x10", "0X1f", "0b11", "0o7", "ff", "Infinity", "-Infinity",
  "NaN", "9007199254740991", "9007199254740992", "9007199254740993", "18446744073709551615", "18446744073709551616",
  "99999999999999999999999", "4294967296", "-2147483649", "١٢", "１２", "12abc", "abc12", "1_000", "1,000", " 42 ", "\t7\n",
  "", " ", "\n", "   \n\n",
];
const CPU_LISTS = [
  "0", "0-3", "3-0", "0-3,8", "0-8191", "0-8192", "8191", "8192", "0-15:2/4", "0-15:0/4", "0-15:4/2", "0-15:2/0", "(null)",
  "1,,2", ",", "0-", "-3", "0--3", " 0-3 ", "0-3\n", "0x3", "1 2", "0-3,2-5", "00-03", "1e1", "0-1:1/1", "٣",
];
const MASKS = ["ff", "0xff", "0XF", "00000000,0000000f", "ffffffff,ffffffff,ffffffff", "g", "", "f,", ",f", "1 2", "fg", "0x", "F".repeat(2100)];
const WORDS = ["Y", "N", "y", "1", "0", "on", "off", "yes", "no", "true", "false", "TRUE", "maybe", "[always] madvise never", "always [madvise] never", "[]", "[ never ]", "[a] [b]", "performance", "powersave", "active", "passive", "tsc hpet acpi_pm", "Error", "Unavailable", "Unassigned", "(null)", "-", "😀", "\u00e9\u0301", "\u2028", "\ufeff1"];
const UNKNOWN_LINES = ["bogus_key: 1", "Node 0 Bogus: 12 kB", "UnknownKey=7", "processor\t: 99", "flags\t\t: fpu vmx hypervisor", "cpu family\t: x", "MemTotal:       1 kB", "Hugepagesize:    -2048 kB", "XYZ:  1 2 3  Weird", "L3:0=fff;1=zz", "MB:0=100", "CONFIG_NO_HZ_FULL=y", "IRQBALANCE_BANNED_CPULIST=0-1", "IRQBALANCE_BANNED_CPUS=0x3", "Cpus_allowed_list:\t0-3", "#comment", "key", "="];
const BAD_BYTES: number[][] = [[0xff], [0xfe, 0xff], [0xc3], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0x80], [0x00], [0x0d], [0x1b, 0x5b, 0x30, 0x6d], [0xef, 0xbb, 0xbf]];

const numberText = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.double().map(String),
  fc.integer({ min: 0 }).map((n) => `0x${n.toString(16)}`),
);
const cpuListText = fc.oneof(
  fc.constantFrom(...CPU_LISTS),
  fc.array(fc.tuple(fc.nat(70), fc.nat(8)), { minLength: 1, maxLength: 5 }).map((rs) => rs.map(([a, n]) => (n === 0 ? `${a}` : `${a}-${a + n}`)).join(",")),
);
const unicodeText = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 }));
const rawBytes = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));
const separator = fc.constantFrom("\n", "\r\n", "\r", " ", "\t", "\0", "", ",", ":", "=");

/** One hostile text for a whole file. */
const hostileFile: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: numberText.map(enc) },
  { weight: 2, arbitrary: cpuListText.map(enc) },
  { weight: 1, arbitrary: fc.constantFrom(...MASKS).map(enc) },
  { weight: 2, arbitrary: fc.constantFrom(...WORDS).map(enc) },
  { weight: 1, arbitrary: unicodeText.map(enc) },
  { weight: 1, arbitrary: rawBytes },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(numberText, cpuListText, fc.constantFrom(...WORDS, ...UNKNOWN_LINES), unicodeText), separator), { maxLength: 8 })
      .map((parts) => enc(parts.map(([a, s]) => a + s).join(""))),
  },
).map(printable);

/** An edit of the file's current contents (the tree's own text, or empty when absent). */
type Edit = (b: Buffer) => Buffer;
const edit: fc.Arbitrary<Edit> = fc.oneof(
  // numbers in the text → garbage numbers (the 1st, 2nd… digit run picked by index)
  fc.array(fc.tuple(fc.nat(40), numberText), { minLength: 1, maxLength: 4 }).map((subs): Edit => (b) => {
    const wanted = new Map(subs);
    let i = 0;
    // latin1 keeps every byte as it is; the new number goes in as its UTF-8 bytes
    const text = b.toString("latin1").replace(/\d+/g, (d) => {
      const w = wanted.get(i++);
      return w === undefined ? d : enc(w).toString("latin1");
    });
    return Buffer.from(text, "latin1");
  }),
  fc.constantFrom<Edit>(
    (b) => Buffer.from(b.toString("latin1").replace(/\n/g, "\r\n"), "latin1"),
    (b) => Buffer.from(b.toString("latin1").replace(/\n/g, "\r"), "latin1"),
    (b) => Buffer.from(b.toString("latin1").replace(/\n/g, "\0"), "latin1"),
    (b) => Buffer.from(b.toString("latin1").replace(/[ \t]+/g, "\t  \t"), "latin1"),
    (b) => Buffer.from(b.toString("latin1").split("\n").map((l) => `  ${l}\t `).join("\n"), "latin1"),
    (b) => Buffer.concat([b, b]),
    (b) => Buffer.from(b.toString("latin1").split("\n").flatMap((l) => [l, l]).join("\n"), "latin1"),
    (b) => Buffer.from(b.toString("latin1").trimEnd(), "latin1"),
    (b) => Buffer.concat([enc("\ufeff"), b]),
    (b) => Buffer.from(b.toString("latin1").toUpperCase(), "latin1"),
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...BAD_BYTES)).map(([at, bytes]): Edit => (b) => {
    const i = b.length === 0 ? 0 : at % (b.length + 1);
    return Buffer.concat([b.subarray(0, i), Buffer.from(bytes), b.subarray(i)]);
  }),
  fc.tuple(fc.nat(), unicodeText).map(([at, s]): Edit => (b) => {
    const i = b.length === 0 ? 0 : at % (b.length + 1);
    return Buffer.concat([b.subarray(0, i), enc(s), b.subarray(i)]);
  }),
  fc.nat().map((at): Edit => (b) => b.subarray(0, b.length === 0 ? 0 : at % b.length)),
  fc.array(fc.constantFrom(...UNKNOWN_LINES), { minLength: 1, maxLength: 4 }).map((ls): Edit => (b) => Buffer.concat([b, enc(`\n${ls.join("\n")}\n`)])),
  fc.tuple(fc.constantFrom("x", "0", "1,", "ab ", "😀", "é"), fc.integer({ min: 1000, max: 70000 })).map(([unit, n]): Edit => (b) => Buffer.concat([b, enc(unit.repeat(Math.ceil(n / unit.length)))])),
);

/** Odd names for extra directory entries (sorting, prefixes, numbers the way a lister must refuse). */
const ENTRY_NAMES = ["cpu007", "cpu-1", "cpu1e3", "cpu99999999999999999999", "cpu 1", "cpu١", "node07", "node", "node9", "hugepages-abckB", "hugepages-2048kB ", "hugepages-00kB", "hugepages-1048576kB", "index99", "index-1", "state10", "state01", "mon_L3_99", "mon_L3_x", "mon_MB_01", "zz😀", "ÄÖ", "\u00e9", "A", "_", "param with space", "p".repeat(65), "g1", "info", "mon_groups", "0123", "4294967297"];

type Mutation =
  | { kind: "write"; pick: [number, number]; content: Buffer }
  | { kind: "edit"; pick: [number, number]; edit: Edit }
  | { kind: "delete"; pick: [number, number] }
  | { kind: "mkdir"; pick: [number, number] }
  | { kind: "entry"; pick: [number, number]; name: string; content: Buffer | null; copyFrom: boolean }
  | { kind: "rawName"; pick: [number, number]; name: Buffer };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("write" as const), pick: fc.tuple(fc.nat(), fc.nat()), content: hostileFile }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("edit" as const), pick: fc.tuple(fc.nat(), fc.nat()), edit }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), pick: fc.tuple(fc.nat(), fc.nat()) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("mkdir" as const), pick: fc.tuple(fc.nat(), fc.nat()) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("entry" as const), pick: fc.tuple(fc.nat(), fc.nat()), name: fc.constantFrom(...ENTRY_NAMES), content: fc.option(hostileFile), copyFrom: fc.boolean() }),
  },
  {
    // a copy under a name that is not UTF-8 (Node lists it with U+FFFD, and then cannot open that name)
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("rawName" as const),
      pick: fc.tuple(fc.nat(), fc.nat()),
      name: fc.tuple(fc.constantFrom("g", "cpu1", "node0", "mon_L3_0", "index0", "state0", "hugepages-2048kB", "nx_huge_pages", ""), fc.constantFrom(...BAD_BYTES.slice(0, 9))).map(([prefix, bytes]) => printable(Buffer.concat([enc(prefix), Buffer.from(bytes)]))),
    }),
  },
);

// ---------------------------------------------------------------------------------------------
// Whole files the fixtures lack: processes, configs, export files

const QEMU_BINARIES = ["/usr/bin/qemu-system-x86_64", "qemu-kvm", "/usr/libexec/qemu-kvm", "qemu-system-aarch64", "qemu-system-x86_64 ", "qemu-system-", "/x/qemu-system-x86_64/", "QEMU-KVM", "qemu-system-😀"];
const QEMU_ARGS = [
  "-name", "guest=vnf-a,debug-threads=on", "-name", "vnf,,b", "-name", "", "-smp", "4", "-smp", "cpus=8,sockets=2", "-smp", "0", "-smp", "70000", "-smp", "x",
  "-accel", "kvm", "-accel", "accel=tcg", "-machine", "pc,accel=kvm", "-M", "q35,accel=", "-enable-kvm", "--enable-kvm", "-uuid", "6f1c8a3e-0000-4000-8000-000000000001",
  "-qmp", "unix:/run/q.sock,server=on,wait=off", "-qmp-pretty", "tcp:127.0.0.1:4444,server", "-monitor", "telnet:0:5555", "-monitor", "stdio",
  "-chardev", "socket,id=charmonitor,path=/var/lib/libvirt/qemu/domain-3-vnf-a/monitor.sock,server=on", "-chardev", "socket,id=charmonitor,fd=27,server=on",
  "-chardev", "socket,id=m2,host=127.0.0.1,port=7000", "-mon", "chardev=charmonitor,id=monitor,mode=control", "-mon", "chardev=m2", "-mon", "chardev=missing",
  "-object", "secret,id=masterKey0,format=raw,file=/var/lib/libvirt/qemu/domain-3-vnf-a/master-key.aes", "-daemonize", "--", "-", "😀", "a,,b,c=d",
];
const THREAD_COMMS = ["CPU 0/KVM", "CPU 1/KVM", "CPU 12/KVM", "CPU 99999/KVM", "CPU 1/TCG", "ALL CPUs/TCG", "qemu-system-x86", "IO mon_iothread", "worker", "CPU x/KVM", "CPU 0/KVM\n", "CPU 0/😀", "", "\0"];
const STATUS_LINES = ["Name:\tqemu-system-x86", "Cpus_allowed:\tff", "Cpus_allowed_list:\t0-3", "Cpus_allowed_list:\t2,5", "Cpus_allowed_list:\t", "Cpus_allowed_list:\tgarbage", "Cpus_allowed_list:  0-1  ", "Cpus_allowed_list:\t0-3\r", "Threads:\t3"];

const qemuProcess = fc.record({
  pid: fc.integer({ min: 3, max: 99999 }),
  binary: fc.constantFrom(...QEMU_BINARIES),
  args: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QEMU_ARGS) }, { weight: 1, arbitrary: unicodeText }), { maxLength: 16 }),
  nulEnd: fc.boolean(),
  tasks: fc.array(
    fc.record({
      tid: fc.integer({ min: 1, max: 99999 }),
      comm: fc.option(fc.constantFrom(...THREAD_COMMS)),
      status: fc.option(fc.array(fc.constantFrom(...STATUS_LINES), { maxLength: 4 }).map((ls) => ls.join("\n"))),
    }),
    { maxLength: 5 },
  ),
});

const irqbalance = fc.record({
  pid: fc.integer({ min: 3, max: 99999 }),
  comm: fc.constantFrom("irqbalance\n", "irqbalance", " irqbalance \r\n", "irqbalanced"),
  environ: fc.option(
    fc.array(fc.oneof(fc.constantFrom("IRQBALANCE_BANNED_CPULIST=", "IRQBALANCE_BANNED_CPUS=", "PATH=/bin", "=x", "IRQBALANCE_ONESHOT=1").chain((k) => fc.oneof(cpuListText, fc.constantFrom(...MASKS)).map((v) => (k.endsWith("=") ? k + v : k)))), { maxLength: 4 }).map((es) => es.join("\0")),
  ),
});

const shellConfig = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom("IRQBALANCE_BANNED_CPULIST", "IRQBALANCE_BANNED_CPUS", "export IRQBALANCE_BANNED_CPUS", "  IRQBALANCE_BANNED_CPULIST", "1BAD"), fc.oneof(cpuListText, fc.constantFrom(...MASKS)), fc.constantFrom("", '"', "'", " # c", "\r")).map(([k, v, q]) => (q === '"' || q === "'" ? `${k}=${q}${v}${q} # x` : `${k}=${v}${q}`)),
      fc.constantFrom("# comment", "", "OPTIONS=\"--foo\"", "IRQBALANCE_BANNED_CPUS=\"unterminated"),
    ),
    { maxLength: 5 },
  )
  .map((ls) => printable(enc(ls.join("\n"))));

const jsonScalar = fc.oneof(fc.constantFrom<unknown>(null, true, false, 0, -0, 1.5, 1e21, "Enabled", "Disabled", "", "😀"), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), unicodeText);
const attributeName = fc.oneof(fc.constantFrom("ProcTurboMode", "LogicalProc", "SriovGlobalEnable", "WorkloadProfile", "C-States", "__proto__", "constructor", "", "Proc.HyperThreading", "Processors.HyperThreading", "a".repeat(257), "😀"), fc.string({ maxLength: 12 }));
const attributes = fc.dictionary(attributeName, fc.oneof({ weight: 5, arbitrary: jsonScalar }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }), { maxKeys: 8 });
const biosExport: fc.Arbitrary<Buffer> = fc.oneof(
  attributes.map((a) => enc(JSON.stringify({ "@odata.id": "/redfish/v1/Systems/1/Bios", Attributes: a }))),
  attributes.map((a) => enc(JSON.stringify({ deep: [{ x: { Attributes: a } }] }))),
  fc.array(fc.record({ Name: attributeName, Value: jsonScalar }), { maxLength: 6 }).map((as) => enc(JSON.stringify({ SystemConfiguration: { Components: [{ FQDD: "NIC.1" }, { FQDD: "BIOS.Setup.1-1", Attributes: as }] } }))),
  fc.array(fc.tuple(attributeName, unicodeText), { maxLength: 6 }).map((ls) => enc(ls.map(([k, v]) => `${k} = ${v}`).join("\n"))),
  fc.tuple(attributes, fc.nat()).map(([a, cut]) => {
    const t = JSON.stringify({ Attributes: a });
    return enc(t.slice(0, cut % (t.length + 1)));
  }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => enc(JSON.stringify(v) ?? "null")),
  fc.constantFrom("{", "[", "{\"Attributes\": {\"a\": 1,}}", "{\"Attributes\": {\"a\": 01}}", "{\"Attributes\": {\"a\": \"\\ud800\"}}", "{'a': 1}", "[1, 2", "{\"a\":1}garbage", "#only a comment", "").map(enc),
).map(printable);

const kernelConfig = fc.record({
  where: fc.constantFrom("boot" as const, "gz" as const, "badgz" as const),
  text: fc.array(fc.constantFrom("CONFIG_NO_HZ_FULL=y", "CONFIG_NO_HZ_FULL=n", "# CONFIG_NO_HZ_FULL is not set", "CONFIG_NO_HZ_FULL=y  ", "CONFIG_NO_HZ_FULL=y\r", " CONFIG_NO_HZ_FULL=y", "CONFIG_HZ=1000"), { maxLength: 3 }).map((ls) => ls.join("\n")),
  cut: fc.nat(),
});

const CMDLINE_KEYS = ["isolcpus", "nohz_full", "rcu_nocbs", "irqaffinity", "iommu", "intel_iommu", "amd_iommu", "default_hugepagesz", "hugepagesz", "hugepages", "idle", "tsc", "intel_pstate", "processor.max_cstate", "intel_idle.max_cstate", "mce", "nosoftlockup", "nmi_watchdog", "skew_tick", "transparent_hugepage", "BOOT_IMAGE", "root", "quiet", "", "--"];
const cmdlineToken = fc.oneof(
  fc.tuple(fc.constantFrom(...CMDLINE_KEYS), fc.option(fc.oneof(cpuListText, fc.constantFrom("managed_irq,domain,2-5", "domain,", "nohz,0-3", "1G", "2M", "16", "poll", "reliable", "disable", "off", "on", "pt", "0", "1"), numberText, unicodeText)), fc.constantFrom("", '"')).map(
    ([k, v, q]) => (v === null ? k : `${k}=${q}${v}${q}`),
  ),
  fc.constantFrom('"', '""', "=x", "a=b=c", '"quoted key"=1', "\t", "\u00a0", "\u2028", "\u3000"),
);
/** A /proc/cmdline made of the tuning parameters the kernel collector parses, quoted, repeated, odd. */
const cmdline = fc.tuple(fc.array(cmdlineToken, { maxLength: 12 }), fc.constantFrom(" ", "  ", "\t", "\0", "\n")).map(([ts, sep]) => printable(enc(`${ts.join(sep)}\n`)));

const hostCase = fc.record({
  base: fc.nat(BASES.length - 1),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 10 }),
  qemu: fc.array(qemuProcess, { maxLength: 2 }),
  irqbalance: fc.option(irqbalance, { freq: 3 }),
  irqbalanceConfig: fc.option(shellConfig, { freq: 3 }),
  biosExport: fc.option(biosExport, { freq: 2 }),
  kernelConfig: fc.option(kernelConfig, { freq: 4 }),
  cmdline: fc.option(cmdline, { freq: 2 }),
});
type HostCase = typeof hostCase extends fc.Arbitrary<infer T> ? T : never;

function readOrEmpty(abs: string): Buffer {
  try {
    return readFileSync(abs);
  } catch {
    return Buffer.alloc(0);
  }
}

function isDir(abs: string): boolean {
  try {
    return statSync(abs).isDirectory();
  } catch {
    return false;
  }
}

/** rm -r that also takes names that are not UTF-8 (node's recursive rm reads names as UTF-8 text). */
function removeTree(abs: string): void {
  try {
    rmSync(abs, { recursive: true, force: true });
  } catch {
    execFileSync("rm", ["-rf", "--", abs]);
  }
}

/** cpSync for paths that may not be valid UTF-8 (node:fs takes and gives such names as Buffers only). */
function copyRawTree(from: Buffer, to: Buffer): void {
  if (!statSync(from).isDirectory()) {
    writeFileSync(to, readFileSync(from));
    return;
  }
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { encoding: "buffer" })) copyRawTree(Buffer.concat([from, enc("/"), e]), Buffer.concat([to, enc("/"), e]));
}

/**
 * A working copy of a base tree that a case changes and then puts back. Copying a whole tree per case
 * cost ~0.5 s on this box (hundreds of files); undoing only what a case changed costs a few ms. Every
 * change goes through `dirty`, which remembers the outermost path that differs from the base.
 */
class CaseTree {
  private readonly changed = new Set<string>();
  constructor(
    readonly base: string,
    public work: string,
  ) {}

  /**
   * Renames the working copy. Each case is read at a root path of its own: the TypeScript agent keeps
   * per-root caches across reports (the irqbalance PIDs it found, the last config.gz), and a fresh Go
   * process has none — the same path for two cases would compare a cache with a scan.
   */
  moveTo(work: string): void {
    renameSync(this.work, work);
    this.work = work;
  }

  abs(rel: string): string {
    return path.join(this.work, rel);
  }

  /** rel is about to change: remember its outermost ancestor that is not a directory in the base. */
  private dirty(rel: string): void {
    const parts = rel.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      if (i === parts.length || !isDir(path.join(this.base, prefix))) {
        this.changed.add(prefix);
        return;
      }
    }
  }

  /** Writes a file, replacing whatever is on its path (a file where a parent directory should be, too). */
  write(rel: string, data: Buffer | string): void {
    this.dirty(rel);
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = path.join(this.work, ...parts.slice(0, i));
      if (existsSync(parent) && !isDir(parent)) rmSync(parent, { force: true });
    }
    if (existsSync(this.abs(rel))) removeTree(this.abs(rel));
    mkdirSync(path.dirname(this.abs(rel)), { recursive: true });
    writeFileSync(this.abs(rel), data);
  }

  remove(rel: string): void {
    this.dirty(rel);
    // a parent that an earlier mutation made a file: nothing below it to remove
    if (existsSync(this.abs(rel))) removeTree(this.abs(rel));
  }

  mkdir(rel: string): void {
    this.dirty(rel);
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = path.join(this.work, ...parts.slice(0, i));
      if (existsSync(parent) && !isDir(parent)) rmSync(parent, { force: true });
    }
    if (existsSync(this.abs(rel)) && !isDir(this.abs(rel))) rmSync(this.abs(rel), { force: true });
    mkdirSync(this.abs(rel), { recursive: true });
  }

  copy(fromRel: string, toRel: string): void {
    this.dirty(toRel);
    if (existsSync(this.abs(toRel))) removeTree(this.abs(toRel));
    copyRawTree(enc(this.abs(fromRel)), enc(this.abs(toRel)));
  }

  /** Copies rel next to itself under a name of raw bytes (restored with its whole directory). */
  copyRaw(rel: string, name: Buffer): void {
    const parent = path.posix.dirname(rel);
    if (parent === "." || !existsSync(this.abs(rel)) || !isDir(this.abs(parent))) return;
    this.changed.add(parent);
    copyRawTree(enc(this.abs(rel)), Buffer.concat([enc(`${this.abs(parent)}/`), name]));
  }

  /** Puts back every changed path as the base has it. */
  restore(): void {
    // outermost first: restoring "a" makes "a/b" right too
    const paths = [...this.changed].sort((x, y) => x.length - y.length);
    const done: string[] = [];
    for (const rel of paths) {
      if (done.some((d) => rel.startsWith(`${d}/`))) continue;
      // rm(1): node's recursive rm reads names as UTF-8 and cannot remove one that is not
      if (existsSync(this.abs(rel))) removeTree(this.abs(rel));
      if (existsSync(path.join(this.base, rel))) cpSync(path.join(this.base, rel), this.abs(rel), { recursive: true });
      done.push(rel);
    }
    this.changed.clear();
  }
}

/** Applies a case to its base's working tree: every mutation in order, then the added files. */
function materialise(c: HostCase, tree: CaseTree, candidates: readonly (readonly string[])[]): void {
  for (const m of c.mutations) {
    const group = candidates[m.pick[0] % candidates.length]!;
    const rel = group[m.pick[1] % group.length]!;
    const abs = tree.abs(rel);
    switch (m.kind) {
      case "write":
        tree.write(rel, m.content);
        break;
      case "edit":
        if (!isDir(abs)) tree.write(rel, m.edit(readOrEmpty(abs)));
        break;
      case "delete":
        tree.remove(rel);
        break;
      case "mkdir":
        tree.remove(rel);
        tree.mkdir(rel);
        break;
      case "entry": {
        // an entry with an odd name: a copy of the path next to it, or new in its directory
        const sibling = path.posix.dirname(rel) === "." ? m.name : `${path.posix.dirname(rel)}/${m.name}`;
        const child = isDir(abs) ? `${rel}/${m.name}` : sibling;
        if (m.copyFrom && existsSync(abs)) {
          if (sibling !== rel) tree.copy(rel, sibling);
        } else if (m.content !== null) tree.write(child, m.content);
        else tree.mkdir(child);
        break;
      }
      case "rawName":
        tree.copyRaw(rel, m.name);
        break;
    }
  }
  for (const q of c.qemu) {
    const argv = [q.binary, ...q.args];
    tree.write(`proc/${q.pid}/cmdline`, enc(argv.join("\0") + (q.nulEnd ? "\0" : "")));
    for (const t of q.tasks) {
      tree.mkdir(`proc/${q.pid}/task/${t.tid}`);
      if (t.comm !== null) tree.write(`proc/${q.pid}/task/${t.tid}/comm`, t.comm);
      if (t.status !== null) tree.write(`proc/${q.pid}/task/${t.tid}/status`, t.status);
    }
  }
  if (c.irqbalance !== null) {
    tree.write(`proc/${c.irqbalance.pid}/comm`, c.irqbalance.comm);
    if (c.irqbalance.environ !== null) tree.write(`proc/${c.irqbalance.pid}/environ`, c.irqbalance.environ);
  }
  if (c.irqbalanceConfig !== null) tree.write("etc/default/irqbalance", c.irqbalanceConfig);
  if (c.cmdline !== null) tree.write("proc/cmdline", c.cmdline);
  if (c.biosExport !== null) tree.write("etc/nfvdeck/bios-export.json", c.biosExport);
  if (c.kernelConfig !== null) {
    const k = c.kernelConfig;
    // the config is read only when cpu/nohz_full is absent
    tree.remove("sys/devices/system/cpu/nohz_full");
    if (k.where === "boot") {
      const release = readOrEmpty(tree.abs("proc/sys/kernel/osrelease")).toString("utf8").trim();
      if (/^[A-Za-z0-9._+-]+$/.test(release)) tree.write(`boot/config-${release}`, k.text);
    } else {
      const gz = gzipSync(enc(k.text));
      tree.write("proc/config.gz", k.where === "gz" ? gz : gz.subarray(0, k.cut % gz.length));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Running both agents and comparing

type Section = { ok: boolean; available: boolean; error?: string; hash: string; data: unknown };
type Report = { hostname: string; sections: Record<string, Section> };

async function goReport(root: string): Promise<Report> {
  const { stdout } = await run(agent, ["once", "--root", root, "--json"], { maxBuffer: 256 * 1024 * 1024, env: process.env });
  return JSON.parse(stdout) as Report;
}

async function tsReport(root: string): Promise<Report> {
  // through JSON, as `once --json` prints it (undefined keys dropped, NaN → null)
  return JSON.parse(JSON.stringify(await buildLocalReport(new HostFs(root), { now: FIXED_TIME }))) as Report;
}

/** Where two JSON values first differ, for the failure message. */
function firstDifference(a: unknown, b: unknown, at = "$"): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      if (d !== null) return d;
    }
  }
  const show = (v: unknown) => (JSON.stringify(v) ?? "undefined").slice(0, 300);
  return `${at}: ts ${show(a)} go ${show(b)}`;
}

/** Per section what must be equal: everything but durationMs (and the error text: see the header). */
function comparable(s: Section | undefined): unknown {
  if (s === undefined) return undefined;
  // a schema refusal is worded from the data alone (zod's paths and messages): that text must match
  if (!s.ok && s.error?.startsWith("section ")) return { ok: s.ok, available: s.available, error: s.error };
  if (!s.ok) return { ok: s.ok, available: s.available };
  // data before hash: a difference in data is named where it is, not as the hash it changes
  return { ok: s.ok, available: s.available, data: s.data, hash: s.hash };
}

function differences(ts: Report, go: Report): string[] {
  const out: string[] = [];
  if (ts.hostname !== go.hostname) out.push(`hostname: ts ${ts.hostname} go ${go.hostname}`);
  const names = [...new Set([...Object.keys(ts.sections), ...Object.keys(go.sections)])];
  for (const name of names) {
    const t = ts.sections[name];
    const g = go.sections[name];
    const d = firstDifference(comparable(t), comparable(g));
    if (d !== null) out.push(`${name}${t?.ok === false ? ` (ts error: ${t.error})` : ""}${g?.ok === false ? ` (go error: ${g.error})` : ""}: ${d}`);
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-differential-"));
  agent = path.join(dir, "nfvdeck-agent");
  await run("go", ["build", "-o", agent, "./cmd/nfvdeck-agent"], { cwd: NATIVE, env: { ...process.env, CGO_ENABLED: "0" } });
  for (const name of BASES) {
    const root = path.join(dir, "base", name);
    trimmedCopy(name, root);
    const recorder = new TouchRecordingHostFs(root);
    await buildLocalReport(recorder, { now: FIXED_TIME });
    const work = path.join(dir, "work", name);
    cpSync(root, work, { recursive: true });
    const candidates = byShape([...new Set([...recorder.touched, ...filesUnder(root)])]);
    bases.push({ name, root, candidates, tree: new CaseTree(root, work) });
  }
}, 180_000);

afterAll(() => {
  // NFVDECK_DIFF_KEEP=1 keeps the trees of failed cases (their paths are in the failure message)
  if (dir && process.env.NFVDECK_DIFF_KEEP !== "1") removeTree(dir);
});

describe("native agent = TypeScript agent", () => {
  it("on every trimmed base tree", async () => {
    for (const b of bases) expect(differences(await tsReport(b.root), await goReport(b.root)), b.name).toEqual([]);
  });

  it("on / of this machine", async () => {
    // A live tree moves between two reads (interrupt counters, processes coming and going): the Go
    // report is read between two TypeScript ones and each section must equal one of them. Counters
    // that move on their own are left out (irq: total and cpusWithCounts, which the irq hash covers).
    const before = await tsReport("/");
    const go = await goReport("/");
    const after = await tsReport("/");
    const steady = (r: Report): Report => JSON.parse(JSON.stringify(r, (k, v: unknown) => (LIVE_VOLATILE.has(k) ? undefined : v))) as Report;
    const dropIrqHash = (r: Report): Report => ({ ...r, sections: { ...r.sections, irq: { ...r.sections.irq!, hash: "" } } });
    const [b, g, a] = [before, go, after].map((r) => dropIrqHash(steady(r))) as [Report, Report, Report];
    const sectionOf = (d: string) => d.split(/[ :]/)[0];
    const againstAfter = new Set(differences(a, g).map(sectionOf));
    const diff = differences(b, g).filter((d) => againstAfter.has(sectionOf(d)));
    expect(diff).toEqual([]);
  }, 60_000);

  it(`on ${RUNS} generated hostile trees (seed ${SEED})`, async () => {
    let n = 0;
    const sectionStates = new Map<string, number>();
    const timing = { materialise: 0, agents: 0 };
    await fc.assert(
      fc.asyncProperty(hostCase, async (c) => {
        n++;
        const base = bases[c.base]!;
        base.tree.moveTo(path.join(dir, "work", `${base.name}-${n}`));
        const t0 = performance.now();
        materialise(c, base.tree, base.candidates);
        const t1 = performance.now();
        // Go runs in its own process while the TypeScript agent reads the same (unchanging) tree
        const [go, ts] = await Promise.all([goReport(base.tree.work), tsReport(base.tree.work)]);
        const reached = (key: string) => sectionStates.set(key, (sectionStates.get(key) ?? 0) + 1);
        for (const [name, s] of Object.entries(ts.sections)) reached(`${name}:${!s.ok ? "error" : s.available ? "ok" : "absent"}`);
        const data = (name: string) => (ts.sections[name]?.ok ? JSON.stringify(ts.sections[name]!.data) : "");
        if (data("vms").includes('"pid"')) reached("vms:qemu");
        if (data("bios").includes('"settingsSource":"export-file"')) reached("bios:export-file");
        if (data("kernel").includes('"running":true')) reached("kernel:irqbalance");
        if (/"warnings":\["/.test(data("topology") + data("power") + data("hugepages") + data("irq") + data("kvm"))) reached("warnings");
        timing.materialise += t1 - t0;
        timing.agents += performance.now() - t1;
        const diff = differences(ts, go);
        if (diff.length > 0) {
          // the failing tree is kept for a look (NFVDECK_DIFF_KEEP=1 keeps the scratch dir)
          const kept = path.join(dir, `failed-${n}`);
          execFileSync("cp", ["-a", "--", base.tree.work, kept]);
          base.tree.restore();
          throw new Error(`base ${base.name}, tree copied to ${kept} (kept with NFVDECK_DIFF_KEEP=1):\n${diff.join("\n")}`);
        }
        base.tree.restore();
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: process.env.NFVDECK_DIFF_SHRINK !== "1", ...(process.env.NFVDECK_DIFF_PATH ? { path: process.env.NFVDECK_DIFF_PATH } : {}) },
    );
    // the harness put every working tree back as its base is (else later cases ran on a drifted tree)
    for (const b of bases) {
      const files = filesUnder(b.root);
      expect(filesUnder(b.tree.work), b.name).toEqual(files);
      for (const f of files) expect(readFileSync(path.join(b.tree.work, f)).equals(readFileSync(path.join(b.root, f))), `${b.name}/${f}`).toBe(true);
    }
    if (process.env.NFVDECK_DIFF_STATS === "1") {
      console.log(`${n} cases; ms materialise ${timing.materialise.toFixed(0)}, agents ${timing.agents.toFixed(0)}`);
      console.log([...sectionStates].sort().map(([k, v]) => `${k} ${v}`).join("\n"));
    }
    // the cases reached every section with data, QEMU processes, export files, irqbalance and
    // collectors' warnings (else the test compares less than it says)
    const wanted = ["topology", "kernel", "power", "irq", "hugepages", "bios", "resctrl", "kvm", "vms"].map((s) => `${s}:ok`);
    if (!process.env.NFVDECK_DIFF_PATH) {
      for (const key of [...wanted, "vms:qemu", "bios:export-file", "kernel:irqbalance", "warnings"]) expect(sectionStates.get(key) ?? 0, key).toBeGreaterThan(0);
    }
  }, 120_000);
});
