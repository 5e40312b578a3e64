/**
 * server/cli/provision-test-deps.sh (the first step of `npm test`), run for real with a PATH that
 * holds only stub tools: what it detects as missing, what it runs as root (a stub apt-get records its
 * arguments and environment), and how it stops at once, with the exact command, when not root (run
 * as the user nobody through setpriv when the tests run as root).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const SCRIPT = path.resolve(import.meta.dirname, "provision-test-deps.sh");
const ALL_TOOLS = ["chromium", "cyclictest", "qemu-system-x86_64", "virsh", "virt-xml-validate", "xmllint", "promtool", "prometheus", "taskset", "go"];
const isRoot = process.getuid?.() === 0;

const work = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-provision-"));
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));
// a copy every user can read (the checkout may not be readable by nobody)
const script = path.join(work, "provision-test-deps.sh");
copyFileSync(SCRIPT, script);
chmodSync(script, 0o755);

let dirs = 0;
/** A directory of executable stubs named like the tools; apt-get, if asked for, logs its calls. */
function stubPath(tools: string[], opts: { aptGet?: boolean } = {}): { dir: string; aptLog: string } {
  const dir = path.join(work, `bin${dirs++}`);
  mkdirSync(dir, { mode: 0o755 });
  for (const t of tools) {
    writeFileSync(path.join(dir, t), "#!/bin/sh\nexit 0\n");
    chmodSync(path.join(dir, t), 0o755);
  }
  const aptLog = path.join(dir, "apt-get.log");
  if (opts.aptGet) {
    writeFileSync(path.join(dir, "apt-get"), `#!/bin/bash\necho "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> ${aptLog}\n`);
    chmodSync(path.join(dir, "apt-get"), 0o755);
  }
  return { dir, aptLog };
}

function run(pathDirs: string, env: Record<string, string> = {}, asNobody = false) {
  const cmd = asNobody ? "/usr/bin/setpriv" : "/bin/bash";
  const args = asNobody ? ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/bin/bash", script] : [script];
  // only PATH (and what the case sets): nothing inherited may hide a missing tool
  const childEnv: Record<string, string> = { PATH: pathDirs, ...env };
  const r = spawnSync(cmd, args, { env: childEnv as NodeJS.ProcessEnv, encoding: "utf8", timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MISSING = "qemu-system-x86 libvirt-clients libxml2-utils prometheus golang-go";
const MISSING_TOOLS = "qemu-system-x86_64 virsh virt-xml-validate xmllint promtool prometheus go";
const INSTALL = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${MISSING}`;

describe("provision-test-deps.sh", () => {
  it("everything on PATH: one line, exit 0, nothing run", () => {
    const { dir, aptLog } = stubPath(ALL_TOOLS, { aptGet: true });
    const r = run(dir);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("[provision] test dependencies present (chromium, rt-tests, qemu-system-x86, libvirt-clients, libxml2-utils, prometheus, util-linux, golang-go)\n");
    expect(r.status).toBe(0);
    expect(existsSync(aptLog)).toBe(false);
  });

  it("CHROMIUM_PATH counts as chromium", () => {
    const { dir } = stubPath(ALL_TOOLS.filter((t) => t !== "chromium"));
    const browser = path.join(work, "my-chromium");
    writeFileSync(browser, "#!/bin/sh\n");
    chmodSync(browser, 0o755);
    expect(run(dir, { CHROMIUM_PATH: browser }).status).toBe(0);
  });

  it(isRoot ? "as root: says what it installs, then apt-get update and one noninteractive install without recommends" : "not root: the missing set is the same", () => {
    const { dir, aptLog } = stubPath(["chromium", "cyclictest", "taskset"], { aptGet: true });
    const r = run(dir);
    if (!isRoot) {
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(INSTALL);
      return;
    }
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")[0]).toBe(`[provision] installing missing test dependencies: ${MISSING} (not found on PATH: ${MISSING_TOOLS})`);
    expect(r.stdout).toMatch(new RegExp(`\\[provision\\] installed ${MISSING} in \\d+ s\\n$`));
    expect(r.status).toBe(0);
    expect(readFileSync(aptLog, "utf8")).toBe(`DEBIAN_FRONTEND=noninteractive update -q\nDEBIAN_FRONTEND=noninteractive install -y -q --no-install-recommends ${MISSING}\n`);
  });

  it("as root, dry run: the plan, nothing run", () => {
    const { dir, aptLog } = stubPath(["chromium", "cyclictest", "taskset"], { aptGet: true });
    const r = run(dir, { NFVDECK_PROVISION_DRY_RUN: "1" }, false);
    if (isRoot) {
      expect(r.stdout).toBe(`[provision] installing missing test dependencies: ${MISSING} (not found on PATH: ${MISSING_TOOLS})\n[provision] dry run: would run: ${INSTALL}\n`);
      expect(r.status).toBe(0);
    } else expect(r.status).toBe(1);
    expect(existsSync(aptLog)).toBe(false);
  });

  it("not root (user nobody) with tools missing: stops at once with the exact apt-get command, installs nothing", () => {
    const { dir, aptLog } = stubPath(["chromium", "cyclictest", "taskset"], { aptGet: true });
    const r = run(dir, {}, isRoot);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `[provision] missing test dependencies: ${MISSING} (not found on PATH: ${MISSING_TOOLS})\n` +
        "[provision] not root, so nothing is installed. Run, as root:\n" +
        `  ${INSTALL}\n` +
        "[provision] then run npm test again.\n",
    );
    expect(r.status).toBe(1);
    expect(existsSync(aptLog)).toBe(false);
  });

  it("nothing at all on PATH (not root): every package named once", () => {
    const { dir } = stubPath([]);
    const r = run(dir, {}, isRoot);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium rt-tests qemu-system-x86 libvirt-clients libxml2-utils prometheus util-linux golang-go\n",
    );
  });
});
