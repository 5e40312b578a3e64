/**
 * The native agent with the full (Bun-compiled TypeScript) agent embedded, built exactly as
 * `npm run build:agent` builds dist/nfvdeck-agent (into a scratch dir here): a command the Go agent
 * does not have is run by the full agent with the same argv, stdio and exit code; the extracted full
 * agent is hash-checked before every run (a tampered file is extracted again, never executed).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent, buildNativeAgent, compileAgentExecutable } from "@/agent/build";

const REPO = path.resolve(import.meta.dirname, "../..");
const FIX = path.join(REPO, "agent", "fixtures", "cyclictest");
let dir = "";
let bundle = "";
let native = "";
let payloadSha256 = "";
let state = "";

type Ran = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs `file args` with `input` on stdin; resolves with its exit status and output. */
function runWith(file: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env ?? { PATH: "/usr/bin:/bin", NFVDECK_AGENT_STATE: state }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

const viaGo = (args: string[], input?: string) => runWith(native, args, { input });
const viaNode = (args: string[], input?: string) => runWith(process.execPath, [bundle, ...args], { input });

function extracted(): string {
  return path.join(state, "runtime", payloadSha256, "nfvdeck-agent-full");
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-native-full-"));
  state = path.join(dir, "state");
  bundle = (await buildAgent(path.join(dir, "nfvdeck-agent.js"))).outfile;
  const full = await compileAgentExecutable(bundle, path.join(dir, "nfvdeck-agent-full"));
  const built = await buildNativeAgent(full.executable, path.join(dir, "nfvdeck-agent"));
  native = built.executable;
  payloadSha256 = built.payloadSha256;
  expect(payloadSha256).toBe(createHash("sha256").update(readFileSync(full.executable)).digest("hex"));
}, 240_000);

afterAll(async () => {
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

describe("commands the native agent delegates to the embedded full agent", () => {
  it("parse-cyclictest on a fixture: the same stdout, stderr and exit code as the TypeScript agent", async () => {
    const args = ["parse-cyclictest", path.join(FIX, "debian-2.4-h300.json"), "--json"];
    const [go, node] = [await viaGo(args), await viaNode(args)];
    expect(go).toEqual(node);
    expect(go.code).toBe(0);
    expect(JSON.parse(go.stdout)).toMatchObject({ unit: "us", buckets: 300 });
    // the first use extracted it: 0700, hashing to the embedded SHA-256
    const st = await fsp.stat(extracted());
    expect(st.mode & 0o777).toBe(0o700);
    expect(createHash("sha256").update(await fsp.readFile(extracted())).digest("hex")).toBe(payloadSha256);
  }, 60_000);

  it("stdin reaches the full agent (parse-cyclictest -), and its failures keep their exit codes", async () => {
    const text = readFileSync(path.join(FIX, "debian-2.4-h300-stdout.txt"), "utf8");
    const fromStdin = ["parse-cyclictest", "-", "--json"];
    const go = await viaGo(fromStdin, text);
    expect(go).toEqual(await viaNode(fromStdin, text));
    expect(go.code).toBe(0);
    const truncated = text.split("\n").slice(0, 50).join("\n");
    const bad = await viaGo(fromStdin, truncated);
    expect(bad).toEqual(await viaNode(fromStdin, truncated));
    expect(bad.code).toBe(1);
    const usage = ["parse-cyclictest", "--no-such-flag"];
    const badFlag = await viaGo(usage);
    expect(badFlag).toEqual(await viaNode(usage));
    expect(badFlag.code).toBe(2);
  }, 60_000);

  it("an unknown command: exit 2 with the full agent's usage, as the TypeScript agent", async () => {
    const go = await viaGo(["no-such-command"]);
    expect(go).toEqual(await viaNode(["no-such-command"]));
    expect(go.code).toBe(2);
    expect(go.stderr).toMatch(/unknown command "no-such-command"/);
  }, 60_000);

  it("a tampered extraction is never executed: it is extracted again and the real agent runs", async () => {
    await viaGo(["parse-cyclictest", "--no-such-flag"]); // extracted
    const mark = path.join(dir, "tampered-ran");
    await fsp.writeFile(extracted(), `#!/bin/sh\ntouch ${mark}\necho tampered\nexit 0\n`, { mode: 0o700 });
    const go = await viaGo(["no-such-command"]);
    expect(go.code).toBe(2);
    expect(go.stdout).not.toMatch(/tampered/);
    expect(existsSync(mark)).toBe(false);
    expect(createHash("sha256").update(await fsp.readFile(extracted())).digest("hex")).toBe(payloadSha256);

    // same bytes, but writable by others: not trusted, replaced by a fresh 0700 copy
    await fsp.chmod(extracted(), 0o777);
    const before = (await fsp.stat(extracted())).ino;
    expect((await viaGo(["no-such-command"])).code).toBe(2);
    const after = await fsp.stat(extracted());
    expect(after.mode & 0o777).toBe(0o700);
    expect(after.ino).not.toBe(before);
  }, 60_000);

  it("SIGTERM to the native agent reaches the running full agent; its death by signal is passed on", async () => {
    const child: ChildProcess = spawn(native, ["pin-check", "--json", "--hold-ms", "30000"], { env: { PATH: "/usr/bin:/bin", NFVDECK_AGENT_STATE: state }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
    const deadline = Date.now() + 20_000;
    while (!out.includes("\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const fullPid = (JSON.parse(out) as { pid: number }).pid;
    expect(fullPid).not.toBe(child.pid); // the full agent is a child process, not an exec of this one
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
    child.kill("SIGTERM");
    const status = await exited;
    expect(status).toEqual({ code: null, signal: "SIGTERM" });
    expect(existsSync(`/proc/${fullPid}`)).toBe(false);
  }, 60_000);

  it("help lists the native and the delegated commands", async () => {
    const help = await promisify(execFile)(native, ["help"]);
    expect(help.stdout).toMatch(/commands: .*job-exec, job-recover, .*once, .*parse-cyclictest, pin-check/);
  });
});
