import { z } from "zod";
import { change, defineAction, TuneHostError, TuneRequestError, type PlannedChange } from "@/agent/actions/tune/action";
import { parseSchemata } from "@/agent/collectors/resctrl";
import { cbmProblem, parseHexMask, sameMask } from "@/server/domain/tuning/cat-mask";

const ROOT = "sys/fs/resctrl";
const NOT_GROUPS = new Set(["info", "mon_groups", "mon_data"]);

const params = z
  .object({
    /** resctrl control group (class of service); "" = the default group */
    group: z.string().regex(/^[A-Za-z0-9_.-]{0,64}$/, "a resctrl group name").refine((g) => !NOT_GROUPS.has(g) && g !== "." && g !== "..", "not a control group").default(""),
    /** capacity bitmask, hex (e.g. 7f0) */
    mask: z.string().regex(/^(0x)?[0-9a-fA-F]{1,16}$/, "a hex capacity bitmask"),
    /** L3, or L3CODE / L3DATA with CDP; "L3" on a CDP host sets both */
    resource: z.enum(["L3", "L3CODE", "L3DATA", "L2", "L2CODE", "L2DATA"]).default("L3"),
    /** cache domain ids, comma-separated; default every domain */
    domains: z.string().regex(/^\d+(,\d+)*$/, "domain ids like 0,1").optional(),
  })
  .strict();

function normalMask(m: string): string {
  return (parseHexMask(m) ?? 0n).toString(16);
}

export const cat = defineAction({
  id: "tune.cat",
  params,
  async plan(fs, p) {
    if (!(await fs.exists(`${ROOT}/info`))) throw new TuneHostError("resctrl is not mounted (no /sys/fs/resctrl/info): no CAT on this host, or mount -t resctrl resctrl /sys/fs/resctrl");
    const dir = p.group === "" ? ROOT : `${ROOT}/${p.group}`;
    const rel = `${dir}/schemata`;
    const text = await fs.readText(rel);
    if (text === null) throw new TuneRequestError(`bad parameter group: no resctrl control group "${p.group}"`);
    const lines = parseSchemata(text);
    const cdp = lines.some((l) => l.resource === `${p.resource}CODE`);
    const resources = cdp ? [`${p.resource}CODE`, `${p.resource}DATA`] : [p.resource];
    const wanted = p.domains ? p.domains.split(",").map(Number) : null;
    for (const res of resources) {
      const line = lines.find((l) => l.resource === res);
      if (!line) throw new TuneRequestError(`bad parameter resource: ${res} is not in ${`/${rel}`} (has ${lines.map((l) => l.resource).join(", ")})`);
      for (const d of wanted ?? []) if (!line.domains.some((x) => x.id === d)) throw new TuneRequestError(`bad parameter domains: ${res} has no domain ${d}`);
      const info = `${ROOT}/info/${res}`;
      const cbmMask = (await fs.readText(`${info}/cbm_mask`))?.trim();
      if (!cbmMask) throw new TuneHostError(`/${info}/cbm_mask is missing`);
      const minBits = Number(((await fs.readTextOptional(`${info}/min_cbm_bits`)) ?? "1").trim());
      const sparse = ((await fs.readTextOptional(`${info}/sparse_masks`)) ?? "0").trim() === "1";
      const problem = cbmProblem(p.mask, { cbmMask, minCbmBits: Number.isFinite(minBits) ? minBits : 1, sparseAllowed: sparse });
      if (problem) throw new TuneRequestError(`bad parameter mask: ${res}: ${problem}`);
    }
    // An exclusive group's ways may not be shared: the kernel would refuse the write.
    for (const name of (await fs.listDir(ROOT)) ?? []) {
      if (NOT_GROUPS.has(name) || name === p.group) continue;
      if (((await fs.readTextOptional(`${ROOT}/${name}/mode`)) ?? "").trim() !== "exclusive") continue;
      const other = await fs.readTextOptional(`${ROOT}/${name}/schemata`);
      for (const l of other === null ? [] : parseSchemata(other)) {
        if (!resources.includes(l.resource)) continue;
        for (const d of l.domains) {
          if ((wanted === null || wanted.includes(d.id)) && ((parseHexMask(d.value) ?? 0n) & (parseHexMask(p.mask) ?? 0n)) !== 0n) {
            throw new TuneRequestError(`bad parameter mask: overlaps exclusive group ${name} (${l.resource} domain ${d.id} = ${d.value})`);
          }
        }
      }
    }
    let differs = false;
    const out = text.split("\n").map((raw) => {
      const m = /^(\s*)([A-Z][A-Z0-9_]*)(\s*):(.*)$/.exec(raw);
      if (!m || !resources.includes(m[2] as string)) return raw;
      const parts = (m[4] as string).split(";").map((part) => {
        const dm = /^(\s*)(\d+)(\s*)=(\s*)([0-9A-Za-z]+)(\s*)$/.exec(part);
        if (!dm || (wanted !== null && !wanted.includes(Number(dm[2])))) return part;
        if (sameMask(dm[5] as string, p.mask)) return part;
        differs = true;
        return `${dm[1]}${dm[2]}${dm[3]}=${dm[4]}${normalMask(p.mask)}${dm[6]}`;
      });
      return `${m[1]}${m[2]}${m[3]}:${parts.join(";")}`;
    });
    const changes: PlannedChange[] = [];
    if (differs) {
      changes.push(change(rel, text, out.join("\n"), "runtime", `${p.group || "default group"}: ${resources.join("+")} ${wanted ? `domains ${wanted.join(",")}` : "all domains"} = ${normalMask(p.mask)}`));
    }
    return { changes, skipped: [], notes: ["runtime only: resctrl is rebuilt empty at boot; re-apply from the console after a reboot"] };
  },
});
