import { z } from "zod";
import { change, defineAction, TuneHostError, TuneRequestError, type PlannedChange } from "@/agent/actions/tune/action";
import { intParam } from "@/agent/actions/tune/params";

const SIZES: Record<string, number> = { "2M": 2048, "2048kB": 2048, "1G": 1_048_576, "1048576kB": 1_048_576 };

const params = z
  .object({
    size: z.enum(Object.keys(SIZES) as [string, ...string[]]).default("1G"),
    /** pages per NUMA node */
    count: intParam(0, 1_000_000),
    /** comma-separated node ids; default every node */
    nodes: z.string().regex(/^\d+(,\d+)*$/, "node ids like 0,1").optional(),
  })
  .strict();

export const hugepages = defineAction({
  id: "tune.hugepages",
  params,
  async plan(fs, p) {
    const kb = SIZES[p.size] ?? 2048;
    const all = ((await fs.listDir("sys/devices/system/node")) ?? []).filter((n) => /^node\d+$/.test(n)).map((n) => Number(n.slice(4)));
    if (all.length === 0) throw new TuneHostError("no NUMA node directories under /sys/devices/system/node");
    const nodes = p.nodes ? p.nodes.split(",").map(Number) : all;
    const changes: PlannedChange[] = [];
    for (const node of nodes) {
      if (!all.includes(node)) throw new TuneRequestError(`bad parameter nodes: node ${node} does not exist (nodes: ${all.join(",")})`);
      const rel = `sys/devices/system/node/node${node}/hugepages/hugepages-${kb}kB/nr_hugepages`;
      const current = await fs.readText(rel);
      if (current === null) throw new TuneHostError(`node ${node} has no ${p.size} hugepages (/${rel} absent)`);
      if (Number(current.trim()) !== p.count) changes.push(change(rel, current, `${p.count}\n`, "runtime", `node ${node}: ${current.trim()} → ${p.count} × ${p.size}`));
    }
    return {
      changes,
      skipped: [],
      notes: [
        "the kernel may allocate fewer pages than asked when memory is fragmented: verify then fails and names the shortfall",
        "runtime only: persist with tune.cmdline (default_hugepagesz=… hugepagesz=… hugepages=…)",
      ],
    };
  },
});
