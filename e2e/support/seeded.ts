import fs from "node:fs";

export type SeededHost = { id: string; hostname: string; fixture: string | null };

/** The hosts e2e/global-setup.ts seeded (ids are fresh each run), from the file it names in E2E_SEED_FILE. */
export function readSeededHosts(): SeededHost[] {
  const file = process.env.E2E_SEED_FILE;
  if (!file) throw new Error("E2E_SEED_FILE is not set: run the suite through playwright.config.ts (its globalSetup seeds)");
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { hosts?: SeededHost[] };
  if (!Array.isArray(parsed.hosts)) throw new Error(`${file} has no hosts list`);
  return parsed.hosts;
}
