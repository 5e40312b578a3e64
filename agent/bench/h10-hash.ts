import { HostFs } from "@/agent/hostfs";
import { SECTION_COLLECTORS } from "@/agent/collectors/registry";
import { collectSections } from "@/agent/report/collect";
const fs = new HostFs("/");
const cs = SECTION_COLLECTORS.filter((c) => c.name !== "bios");
const a = await collectSections(fs, cs);
await new Promise((r) => setTimeout(r, 1500));
const b = await collectSections(fs, cs);
for (const c of cs) { const x = a[c.name], y = b[c.name]; console.log(c.name, x?.hash === y?.hash ? "same" : "CHANGED", x?.ok, x?.available, x?.error ?? ""); if (x?.hash !== y?.hash) { const dx = JSON.stringify(x?.data), dy = JSON.stringify(y?.data); let i = 0; while (dx[i] === dy[i]) i++; console.log("  at", dx.slice(Math.max(0, i - 120), i + 40), "\n  vs", dy.slice(Math.max(0, i - 120), i + 40)); } }
