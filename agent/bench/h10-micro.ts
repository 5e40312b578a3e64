// scratch (H10): per-step CPU cost in-process
import { HostFs } from "@/agent/hostfs";
import { SECTION_COLLECTORS } from "@/agent/collectors/registry";
import { collectSection } from "@/agent/report/collect";
import { sectionsSchema } from "@/server/contract/report";
import { contentHash } from "@/server/contract/canonical";
import superjson from "superjson";
import { readQosSamples } from "@/agent/collectors/resctrl";
const fs = new HostFs("/");
const N = Number(process.env.N ?? 200);
function cpu(label: string, f: () => unknown) { return async () => { for (let i = 0; i < 20; i++) await f(); const c0 = process.cpuUsage(); for (let i = 0; i < N; i++) await f(); const c = process.cpuUsage(c0); console.log(`${label.padEnd(28)} user ${(c.user / N / 1000).toFixed(3)} sys ${(c.system / N / 1000).toFixed(3)} ms`); }; }
const envs: Record<string, unknown> = {};
for (const c of SECTION_COLLECTORS) {
  if (c.name === "bios") continue;
  await cpu(`read ${c.name}`, () => c.read(fs))();
  envs[c.name] = await collectSection(fs, c);
  const data = (envs[c.name] as { data: unknown }).data;
  await cpu(`hash ${c.name}`, () => contentHash(data))();
  const schema = sectionsSchema.shape[c.name];
  await cpu(`zod ${c.name}`, () => schema.safeParse(envs[c.name]))();
}
await cpu("qos samples", () => readQosSamples(fs))();
await cpu("superjson all sections", () => JSON.stringify(superjson.serialize({ sections: envs })))();
await cpu("JSON all sections", () => JSON.stringify({ sections: envs }))();
