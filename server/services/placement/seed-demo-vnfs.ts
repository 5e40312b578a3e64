import type { CreateVnfInput } from "@/server/contract/vnf";
import { insertVnf } from "@/server/repo/vnfs";
import { previewPlacement } from "@/server/services/placement/preview-placement";
import { placeVnfAs } from "@/server/services/placement/place-vnf";
import { vnfJson } from "@/server/services/placement/vnf-json";

/** The demo lab's VNFs: one of each policy, sized to fit a tuned demo host. */
const DEMO_VNFS: readonly CreateVnfInput[] = [
  { name: "vrouter-bj-01", description: "virtual router (DPDK), data plane", vcpus: 4, memoryMib: 4096, pageSize: "1G", numaNode: null, threadPolicy: "isolate", emulatorThreads: "isolate", cacheWays: 4, owner: "netops@nfvdeck.local", labels: { tier: "edge", team: "netops" } },
  { name: "vfw-bj-01", description: "virtual firewall", vcpus: 2, memoryMib: 2048, pageSize: "1G", numaNode: null, threadPolicy: "prefer", emulatorThreads: "share", cacheWays: null, owner: "secops@nfvdeck.local", labels: { tier: "edge" } },
  { name: "upf-bj-01", description: "5G user plane function", vcpus: 6, memoryMib: 8192, pageSize: "1G", numaNode: null, threadPolicy: "require", emulatorThreads: "share", cacheWays: 6, owner: "core@nfvdeck.local", labels: { tier: "core", team: "5gc" } },
  { name: "dpi-bj-01", description: "deep packet inspection (not placed yet)", vcpus: 8, memoryMib: 8192, pageSize: "2M", numaNode: null, threadPolicy: "prefer", emulatorThreads: "share", cacheWays: null, owner: "secops@nfvdeck.local", labels: {} },
];

export type DemoPlacement = { vnf: string; host: string | null; cpus: number[]; warnings: string[]; reason: string | null };

/**
 * Defines the demo VNFs and places all but the last on the first of `hosts` where each fits (as "system",
 * audited like any placement). Returns what was placed where, with the preview's warnings.
 */
export async function seedDemoVnfs(hosts: readonly { hostId: string; hostname: string }[]): Promise<DemoPlacement[]> {
  const out: DemoPlacement[] = [];
  for (const [i, input] of DEMO_VNFS.entries()) {
    const vnf = vnfJson(await insertVnf(input, "system"));
    if (i === DEMO_VNFS.length - 1) {
      out.push({ vnf: vnf.name, host: null, cpus: [], warnings: [], reason: "left unplaced for the demo" });
      continue;
    }
    let placed: DemoPlacement | null = null;
    let lastReason = "no host";
    for (const h of hosts) {
      const preview = await previewPlacement({ vnfId: vnf.id, hostId: h.hostId });
      if (!preview.result.ok) {
        lastReason = `${h.hostname}: ${preview.result.reason}`;
        continue;
      }
      const r = preview.result;
      await placeVnfAs("system", { vnfId: vnf.id, hostId: h.hostId, expected: { numaNode: r.numaNode, vcpuPins: r.vcpuPins, emulatorCpus: r.emulatorCpus, reservedCpus: r.reservedCpus } });
      placed = { vnf: vnf.name, host: h.hostname, cpus: r.vcpuPins.map((p) => p.cpu), warnings: r.warnings.map((w) => w.message), reason: null };
      break;
    }
    out.push(placed ?? { vnf: vnf.name, host: null, cpus: [], warnings: [], reason: lastReason });
  }
  return out;
}
