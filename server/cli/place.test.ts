/** The `npm run place` command line, run as a subprocess on agent reports of the fixture trees. */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placementResultSchema } from "@/server/contract/placement";

const REPO = path.join(import.meta.dirname, "../..");
const TSX = path.join(REPO, "node_modules/.bin/tsx");
const fixtureReport = (name: string) => path.join(REPO, "agent/fixtures", name, "expected-report.json");

let dir = "";
let kvm4nfvReport = "";
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-place-"));
  // FILE is what the real agent prints
  kvm4nfvReport = path.join(dir, "kvm4nfv.json");
  writeFileSync(kvm4nfvReport, execFileSync(TSX, ["agent/main.ts", "once", "--root", "agent/fixtures/kvm4nfv-baseline", "--json"], { cwd: REPO, encoding: "utf8" }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function place(args: string[]) {
  const r = spawnSync(TSX, ["server/cli/place.ts", ...args], { cwd: REPO, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function placeAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ["server/cli/place.ts", ...args], { cwd: REPO });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function placeJson(args: string[]): Record<string, unknown> {
  const r = place([...args, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const lines = r.stdout.split("\n");
  expect(lines).toHaveLength(2); // one JSON object, newline-terminated
  expect(lines[1]).toBe("");
  const json = JSON.parse(lines[0] as string) as Record<string, unknown>;
  placementResultSchema.parse(json);
  return json;
}

describe("npm run place", () => {
  it("without --memory-mib the VNF gets 1024 MiB of 4K pages, so the domain is one libvirt can define; --memory-mib 0 is refused", () => {
    const out = placeJson(["--report", kvm4nfvReport, "--vcpus", "2"]);
    expect(out.ok).toBe(true);
    expect(out.libvirtXml).toContain("<memory unit='MiB'>1024</memory>");
    expect(out.libvirtXml).not.toContain("<hugepages>");
    const zero = place(["--report", kvm4nfvReport, "--vcpus", "2", "--memory-mib", "0", "--json"]);
    expect(zero.status).toBe(2);
    expect(zero.stdout).toBe("");
    expect(zero.stderr.trim().split("\n")).toHaveLength(1);
    expect(zero.stderr).toContain("--memory-mib");
  });

  it("kvm4nfv-baseline (the agent's own report): 4 vCPUs with 1G pages on node 0, validating libvirt XML, Nova specs", () => {
    const out = placeJson(["--report", kvm4nfvReport, "--vcpus", "4", "--memory-mib", "4096", "--page-size", "1G", "--name", "vfw-1"]);
    expect(out).toMatchObject({
      ok: true,
      numaNode: 0,
      vcpuPins: [
        { vcpu: 0, cpu: 11 },
        { vcpu: 1, cpu: 12 },
        { vcpu: 2, cpu: 13 },
        { vcpu: 3, cpu: 14 },
      ],
      emulatorCpus: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17],
      reservedCpus: [],
      warnings: [],
      hugepagesNeeded: { node: 0, pageSize: "1G", pages: 4 },
      novaExtraSpecs: {
        "hw:cpu_policy": "dedicated",
        "hw:cpu_thread_policy": "prefer",
        "hw:emulator_threads_policy": "share",
        "hw:numa_nodes": "1",
        "hw:mem_page_size": "1GB",
      },
    });
    const xml = out.libvirtXml as string;
    expect(xml).toMatch(/^<domain type='kvm'>/);
    expect(xml).toContain("<name>vfw-1</name>");
    const file = path.join(dir, "vfw-1.xml");
    writeFileSync(file, xml);
    expect(spawnSync("virt-xml-validate", [file, "domain"], { encoding: "utf8" }).status).toBe(0);
    expect(out.libvirtCputune).toMatch(/^<cputune>/);
    expect(out.libvirtNumatune).toMatch(/^<numatune>/);
  }, 60_000);

  it("no fit is still exit 0 with one JSON object and the per-node reason", () => {
    expect(placeJson(["--report", kvm4nfvReport, "--vcpus", "4", "--taken", "11-13,31-32", "--thread-policy", "isolate"])).toEqual({
      ok: false,
      reason: "node 0: 2 free isolated cores, 4 needed; node 1: 3 free isolated cores, 4 needed",
      perNode: [
        { node: 0, reason: "2 free isolated cores, 4 needed" },
        { node: 1, reason: "3 free isolated cores, 4 needed" },
      ],
      host: "otcnfv02",
    });
  }, 60_000);

  it("ht-on-rdt: isolate + emulator isolate around --taken CPUs, warns about nohz_full", () => {
    const out = placeJson([
      "--report", fixtureReport("ht-on-rdt"), "--vcpus", "2", "--thread-policy", "isolate", "--emulator-threads", "isolate",
      "--taken", "4-5", "--numa-node", "0",
    ]);
    expect(out).toMatchObject({ ok: true, numaNode: 0, vcpuPins: [{ vcpu: 0, cpu: 6 }, { vcpu: 1, cpu: 7 }], emulatorCpus: [8], reservedCpus: [46, 47, 48] });
    const codes = (out.warnings as { code: string; cpu: number | null }[]).map((w) => `${w.code}@${w.cpu}`);
    // the --taken CPUs 4-5 sit in the same L3 as the new VNF
    expect(codes).toEqual(["not-nohz-full@6", "not-nohz-full@7", "not-nohz-full@8", "l3-shared@null"]);
    expect((out.warnings as { message: string }[])[3]?.message).toMatch(/^L3 #0 cache \(CPUs 0-19,40-59\) is shared with CPUs given with --taken$/);
    expect(out.l3Domain).toMatchObject({ id: "L3 #0", sharedWith: ["CPUs given with --taken"] });
  }, 60_000);

  it("a report without topology (empty-tree) is readable: nothing fits, exit 0", () => {
    expect(placeJson(["--report", fixtureReport("empty-tree"), "--vcpus", "1"])).toEqual({
      ok: false,
      reason: "no CPU topology for this host (no online CPU known): nothing to place on",
      perNode: [],
      host: "unknown",
    });
  }, 60_000);

  it("a host without isolcpus says so", () => {
    expect(placeJson(["--report", fixtureReport("this-vm"), "--vcpus", "1"])).toMatchObject({
      ok: false,
      reason: "no isolated CPUs on this host: isolcpus is not set",
    });
  }, 60_000);

  it.concurrent.each([
    ["no --report", ["--vcpus", "2", "--json"], /^place: --report /],
    ["--vcpus 0", ["--report", "R", "--vcpus", "0", "--json"], /^place: --vcpus /],
    ["no --vcpus", ["--report", "R", "--json"], /^place: --vcpus is required$/],
    ["bad thread policy", ["--report", "R", "--vcpus", "2", "--thread-policy", "share", "--json"], /^place: --thread-policy /],
    ["page size without memory", ["--report", "R", "--vcpus", "2", "--page-size", "1G", "--json"], /^place: --page-size needs --memory-mib$/],
    ["unknown flag", ["--report", "R", "--vcpus", "2", "--cpus", "3", "--json"], /^place: Unknown option '--cpus'/],
    ["no --json", ["--report", "R", "--vcpus", "2"], /^place: --json /],
    ["bad --taken", ["--report", "R", "--vcpus", "2", "--taken", "3-1", "--json"], /^place: --taken /],
    ["--taken off the host", ["--report", "R", "--vcpus", "2", "--taken", "99", "--json"], /^place: --taken names CPUs this host does not have: 99$/],
    ["unreadable report", ["--report", "/nonexistent/report.json", "--vcpus", "2", "--json"], /^place: cannot read report .*ENOENT$/],
    ["not JSON", ["--report", "README.md", "--vcpus", "2", "--json"], /^place: report README.md is not JSON$/],
    ["not a report", ["--report", "package.json", "--vcpus", "2", "--json"], /^place: report package.json is not an agent report/],
  ])("%s: exit 2, one line on stderr, nothing on stdout", async (_label, args, message) => {
    const r = await placeAsync(args.map((a) => (a === "R" ? kvm4nfvReport : a)));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("reads a report saved with `npm run agent -- once --json > FILE` (npm's banner before the JSON)", () => {
    const saved = spawnSync("npm", ["run", "agent", "--", "once", "--root", "agent/fixtures/kvm4nfv-baseline", "--json"], { cwd: REPO, encoding: "utf8" });
    expect(saved.status).toBe(0);
    expect(saved.stdout).toMatch(/^\s*> nfvdeck@/); // npm wrote its banner to stdout
    const file = path.join(dir, "kvm4nfv-npm-banner.json");
    writeFileSync(file, saved.stdout);
    expect(placeJson(["--report", file, "--vcpus", "1"])).toMatchObject({ ok: true, host: "otcnfv02", vcpuPins: [{ vcpu: 0, cpu: 11 }] });
  }, 60_000);

  it("a banner with no report after it is still not JSON", () => {
    const file = path.join(dir, "banner-only.json");
    writeFileSync(file, "\n> nfvdeck@0.1.0 agent\n> tsx agent/main.ts once --json\n\nError: boom\n");
    const r = place(["--report", file, "--vcpus", "1", "--json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`place: report ${file} is not JSON\n`);
  }, 60_000);

  it("is wired as the npm script", () => {
    const r = spawnSync("npm", ["run", "-s", "place", "--", "--report", kvm4nfvReport, "--vcpus", "1", "--json"], { cwd: REPO, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, vcpuPins: [{ vcpu: 0, cpu: 11 }] });
  }, 60_000);
});
