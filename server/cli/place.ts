/**
 * `npm run place -- --report FILE --vcpus N [--thread-policy prefer|isolate|require]
 *                   [--emulator-threads share|isolate] [--numa-node K] [--taken CPULIST]
 *                   [--memory-mib M --page-size 1G|2M|4K] [--name NAME] --json`
 *
 * Without --memory-mib the VNF is given DEFAULT_MEMORY_MIB of 4K pages (no hugepages to account), so the
 * libvirt document is one `virsh define` accepts (a domain without memory is refused).
 *
 * Places one VNF on the host an agent report describes (`npm run agent -- once --root TREE --json`)
 * and prints ONE JSON object, exit 0, whether or not it fits. Bad arguments or an unreadable report:
 * exit 2 and one line on stderr.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { emulatorThreadPolicySchema, pageSizeSchema, threadPolicySchema, type ExistingAssignment, type VnfShape } from "@/server/contract/placement";
import { sectionsSchema } from "@/server/contract/report";
import { CpuListError, formatCpuList, parseCpuList } from "@/server/domain/cpuset/cpuset";
import { allocateVnfCpus } from "@/server/domain/placement/allocate-vnf-cpus";
import { hostPlacementSnapshot } from "@/server/domain/placement/host-snapshot";
import { libvirtCputuneFragment, libvirtDomainXml, libvirtNumatuneFragment } from "@/server/domain/placement/libvirt-xml";
import { novaExtraSpecs } from "@/server/domain/placement/nova-extra-specs";

const DEFAULT_MEMORY_MIB = 1024;

/** The name given to CPUs passed with --taken (their owners are unknown here). */
const TAKEN_OWNER = "CPUs given with --taken";

const intText = (min: number, max: number) =>
  z
    .string({ message: "is required" })
    .regex(/^\d+$/, { message: "not a whole number" })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const flagsSchema = z
  .object({
    report: z.string({ message: "is required" }).min(1),
    vcpus: intText(1, 512),
    "thread-policy": threadPolicySchema.default("prefer"),
    "emulator-threads": emulatorThreadPolicySchema.default("share"),
    "numa-node": intText(0, 65535).optional(),
    taken: z.string().default(""),
    "memory-mib": intText(1, 1024 * 1024 * 1024).optional(),
    "page-size": pageSizeSchema.optional(),
    name: z.string().min(1).max(256).default("vnf"),
    json: z.literal(true, { message: "is required (JSON is the only output)" }),
  })
  .strict()
  .refine((f) => f["page-size"] === undefined || f["memory-mib"] !== undefined, {
    message: "needs --memory-mib",
    path: ["page-size"],
  });

/**
 * `npm run agent -- once --json > FILE` without `-s` writes npm's banner ("> nfvdeck@0.1.0 agent",
 * "> tsx agent/main.ts once …", a blank line) to stdout before the report: skip it.
 */
const NPM_RUN_BANNER = /^\s*(?:> [^\n]*\n)+\s*(?=\{)/;

/** What this command needs of the report; other fields (collectedAt, agentVersion, hostId…) pass. */
const reportFileSchema = z.object({ hostname: z.string().max(253), sections: sectionsSchema });

class UsageError extends Error {}

function parseCommandLine(argv: string[]) {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        report: { type: "string" },
        vcpus: { type: "string" },
        "thread-policy": { type: "string" },
        "emulator-threads": { type: "string" },
        "numa-node": { type: "string" },
        taken: { type: "string" },
        "memory-mib": { type: "string" },
        "page-size": { type: "string" },
        name: { type: "string" },
        json: { type: "boolean" },
      },
    }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join(".")} ${i.message}`).join("; "));
  return parsed.data;
}

function readReport(file: string) {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read report ${file}: ${err instanceof Error && "code" in err ? String(err.code) : String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(NPM_RUN_BANNER, ""));
  } catch {
    throw new UsageError(`report ${file} is not JSON`);
  }
  const parsed = reportFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`report ${file} is not an agent report (${issue ? `${issue.path.join(".") || "top level"}: ${issue.message}` : "invalid"})`);
  }
  return parsed.data;
}

function runPlace(argv: string[]): { stdout: string } {
  const flags = parseCommandLine(argv);
  const report = readReport(flags.report);
  const host = hostPlacementSnapshot(report.sections, report.hostname);

  let taken: number[];
  try {
    taken = parseCpuList(flags.taken);
  } catch (err) {
    throw new UsageError(`--taken ${err instanceof CpuListError ? err.message : "is not a cpu list"}`);
  }
  const known = new Set(host.cpus.map((c) => c.cpu));
  const unknown = taken.filter((c) => !known.has(c));
  if (unknown.length > 0) throw new UsageError(`--taken names CPUs this host does not have: ${formatCpuList(unknown)}`);

  const vnf: VnfShape = {
    name: flags.name,
    vcpus: flags.vcpus,
    memoryMib: flags["memory-mib"] ?? DEFAULT_MEMORY_MIB,
    pageSize: flags["page-size"] ?? "4K",
    numaNode: flags["numa-node"] ?? null,
    threadPolicy: flags["thread-policy"],
    emulatorThreads: flags["emulator-threads"],
    cacheWays: null,
  };
  const existing: ExistingAssignment[] = taken.map((cpu) => ({ cpu, vnf: TAKEN_OWNER, role: { kind: "reserved-sibling" } }));
  const result = allocateVnfCpus(host, existing, vnf);
  const out = result.ok
    ? {
        ...result,
        host: report.hostname,
        libvirtXml: libvirtDomainXml(vnf, result),
        libvirtCputune: libvirtCputuneFragment(result),
        libvirtNumatune: libvirtNumatuneFragment(vnf, result),
        novaExtraSpecs: novaExtraSpecs(vnf),
      }
    : { ...result, host: report.hostname };
  return { stdout: `${JSON.stringify(out)}\n` };
}

function main(): number {
  try {
    process.stdout.write(runPlace(process.argv.slice(2)).stdout);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`place: ${err.message.replace(/\s*\n\s*/g, " ")}\n`);
      return 2;
    }
    process.stderr.write(`place: internal error: ${err instanceof Error ? err.message.replace(/\s*\n\s*/g, " ") : String(err)}\n`);
    return 1;
  }
}

process.exitCode = main();
