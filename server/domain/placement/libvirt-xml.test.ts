import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PlacementFit, VnfShape } from "../../contract/placement";
import { allocateVnfCpus } from "./allocate-vnf-cpus";
import { libvirtCputuneFragment, libvirtDomainXml, libvirtNumatuneFragment, xmlEscape } from "./libvirt-xml";
import { novaExtraSpecs } from "./nova-extra-specs";
import { intelLayout, syntheticHost } from "./synthetic-host";

const dir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-virtxml-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real libvirt validator (libvirt-clients; it runs xmllint against libvirt's RelaxNG schema). */
function virtXmlValidate(xml: string, name: string): { status: number | null; output: string } {
  const file = path.join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync("virt-xml-validate", [file, "domain"], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/**
 * libvirt itself (virsh's in-process test driver, test:///default, no daemon): `define` runs libvirt's
 * post-parse checks that the schema does not (memory size, vCPU and NUMA cell consistency).
 */
function virshDefine(xml: string, name: string): { status: number | null; output: string } {
  const file = path.join(dir, `${name}.define.xml`);
  writeFileSync(file, xml);
  const r = spawnSync("virsh", ["-c", "test:///default", "define", file], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const host = syntheticHost({
  cores: intelLayout(2, 8, 2),
  isolated: [2, 3, 4, 5, 6, 7, 18, 19, 20, 21, 22, 23, 10, 11, 12, 13, 14, 15, 26, 27, 28, 29, 30, 31],
  hugepagesFree: [
    { node: 0, pageSize: "1G", free: 16 },
    { node: 1, pageSize: "1G", free: 16 },
    { node: 0, pageSize: "2M", free: 4096 },
    { node: 1, pageSize: "2M", free: 4096 },
  ],
});

function place(over: Partial<VnfShape>): { vnf: VnfShape; result: PlacementFit } {
  const vnf: VnfShape = { name: "vnf", vcpus: 4, memoryMib: 4096, pageSize: "1G", numaNode: null, threadPolicy: "prefer", emulatorThreads: "share", cacheWays: null, ...over };
  const result = allocateVnfCpus(host, [], vnf);
  if (!result.ok) throw new Error(result.reason);
  return { vnf, result };
}

const cases: [string, Partial<VnfShape>][] = [
  ["prefer-1G-share", {}],
  ["isolate-2M-emulator-isolate-node1", { threadPolicy: "isolate", pageSize: "2M", memoryMib: 2048, emulatorThreads: "isolate", numaNode: 1 }],
  ["require-odd-4K", { threadPolicy: "require", vcpus: 5, pageSize: "4K", memoryMib: 8192 }],
  ["single-vcpu-escaped-name", { vcpus: 1, name: `dpdk <fw> & "edge" 'a'` }],
];

describe("libvirt domain XML", () => {
  it.each(cases)("%s passes virt-xml-validate", (label, over) => {
    const { vnf, result } = place(over);
    const xml = libvirtDomainXml(vnf, result);
    const r = virtXmlValidate(xml, label);
    expect(r.output).toContain("validates");
    expect(r.status).toBe(0);
    expect(xml.match(/<vcpupin /g)).toHaveLength(vnf.vcpus);
    expect(xml).toContain(`<vcpu placement='static'>${vnf.vcpus}</vcpu>`);
    expect(xml).toContain(`<memory mode='strict' nodeset='${result.numaNode}'/>`);
  });

  it.each(cases)("%s is defined by libvirt (test driver)", (label, over) => {
    const { vnf, result } = place(over);
    const r = virshDefine(libvirtDomainXml(vnf, result), label);
    expect(r.output).toContain(`Domain '${vnf.name}' defined`);
    expect(r.status).toBe(0);
  });

  it("libvirt's define is not a rubber stamp either: fewer <vcpu> than the guest NUMA cell's CPUs is refused", () => {
    const { vnf, result } = place({ vcpus: 2 });
    const xml = libvirtDomainXml(vnf, result).replace("<vcpu placement='static'>2</vcpu>", "<vcpu placement='static'>1</vcpu>");
    const r = virshDefine(xml, "cell-beyond-vcpus");
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("Number of CPUs in <numa> exceeds the <vcpu> count");
  });

  it("the validator is not a rubber stamp: a domain without <name> and a bad vcpupin are refused", () => {
    const { vnf, result } = place({});
    const xml = libvirtDomainXml(vnf, result);
    expect(virtXmlValidate(xml.replace(/ {2}<name>.*<\/name>\n/, ""), "no-name").status).not.toBe(0);
    expect(virtXmlValidate(xml.replace("vcpupin vcpu='0'", "vcpupin vcpu='x'"), "bad-pin").status).not.toBe(0);
  });

  it("pins, emulatorpin, numatune, hugepages and the guest cell as placed", () => {
    const { vnf, result } = place({ threadPolicy: "isolate", pageSize: "2M", memoryMib: 2048, emulatorThreads: "isolate", numaNode: 1 });
    expect(result.vcpuPins.map((p) => p.cpu)).toEqual([10, 11, 12, 13]);
    const xml = libvirtDomainXml(vnf, result);
    expect(xml).toContain("<vcpupin vcpu='0' cpuset='10'/>\n    <vcpupin vcpu='1' cpuset='11'/>");
    expect(xml).toContain("<emulatorpin cpuset='14'/>");
    expect(xml).toContain("<page size='2' unit='M' nodeset='0'/>");
    expect(xml).toContain("<cell id='0' cpus='0-3' memory='2048' unit='MiB'/>");
    expect(xml).toContain("<cpu mode='host-passthrough'>");
    const fourK = place({ pageSize: "4K" });
    expect(libvirtDomainXml(fourK.vnf, fourK.result)).not.toContain("<memoryBacking>");
  });

  it("fragments: cputune and numatune alone", () => {
    const { vnf, result } = place({ vcpus: 2 });
    expect(libvirtCputuneFragment(result)).toBe(
      "<cputune>\n  <vcpupin vcpu='0' cpuset='2'/>\n  <vcpupin vcpu='1' cpuset='18'/>\n  <emulatorpin cpuset='0-1,16-17'/>\n</cputune>\n",
    );
    expect(libvirtNumatuneFragment(vnf, result)).toBe(
      "<numatune>\n  <memory mode='strict' nodeset='0'/>\n  <memnode cellid='0' mode='strict' nodeset='0'/>\n</numatune>\n",
    );
  });

  it("escapes the name", () => {
    expect(xmlEscape(`a<b>&"c"'d'`)).toBe("a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
  });
});

describe("Nova flavor extra specs", () => {
  it("dedicated CPUs, one NUMA node, policies and page size as Nova spells them", () => {
    const base: VnfShape = { name: "v", vcpus: 2, memoryMib: 0, pageSize: "1G", numaNode: null, threadPolicy: "require", emulatorThreads: "isolate", cacheWays: null };
    expect(novaExtraSpecs(base)).toEqual({
      "hw:cpu_policy": "dedicated",
      "hw:cpu_thread_policy": "require",
      "hw:emulator_threads_policy": "isolate",
      "hw:numa_nodes": "1",
      "hw:mem_page_size": "1GB",
    });
    expect(novaExtraSpecs({ ...base, pageSize: "2M" })["hw:mem_page_size"]).toBe("2MB");
    expect(novaExtraSpecs({ ...base, pageSize: "4K", threadPolicy: "prefer", emulatorThreads: "share" })).toMatchObject({
      "hw:mem_page_size": "small",
      "hw:cpu_thread_policy": "prefer",
      "hw:emulator_threads_policy": "share",
    });
  });
});
