/**
 * Builds the agent:
 * - dist/nfvdeck-agent.js: the TypeScript agent bundled into one file, runnable with plain `node` (≥ 20);
 * - dist/nfvdeck-agent-full: that bundle compiled by Bun into one executable (Bun's runtime inside);
 * - dist/nfvdeck-agent: THE executable to install — the native Go agent (agent/native: collect, report,
 *   heartbeat, job polling; static, CGO_ENABLED=0) with dist/nfvdeck-agent-full embedded (gzip, build
 *   tag `full`). It extracts the full agent to <state>/runtime/<sha256>/ on first use and runs it, hash
 *   checked, only for a job or a command it does not have itself (agent/native/internal/full).
 * Fails if anything server-side (Prisma, pg, Next, the repo/db layer) would be pulled in: the agent
 * shares only the zod contract and pure domain helpers with the server.
 */
import { build, type Metafile, type Plugin } from "esbuild";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import os from "node:os";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "..");
const outfile = path.join(repoRoot, "dist", "nfvdeck-agent.js");
/** the Bun-compiled TypeScript agent (embedded in the native one; runs on its own too) */
const fullExecutable = path.join(repoRoot, "dist", "nfvdeck-agent-full");
/** the native agent with the full one embedded: what hosts install */
const nativeExecutable = path.join(repoRoot, "dist", "nfvdeck-agent");
const nativeModule = path.join(repoRoot, "agent", "native");
const bunBin = path.join(repoRoot, "node_modules", ".bin", "bun");

/** Inputs that must never reach the agent bundle. */
const FORBIDDEN: { pattern: RegExp; why: string }[] = [
  { pattern: /node_modules\/(@prisma|prisma)\//, why: "Prisma" },
  { pattern: /node_modules\/(pg|pg-[a-z-]+|postgres-[a-z-]+)\//, why: "pg" },
  { pattern: /node_modules\/(next|react|react-dom|better-auth|@tanstack)\//, why: "web stack" },
  { pattern: /^server\/(db|env|db-bootstrap|ingest-server)\.ts$|^server\/(repo|api|generated|auth|cli)\//, why: "server runtime" },
];

/**
 * Offending inputs. @trpc/client ships its helpers (observable, error shapes) inside @trpc/server's
 * package, so @trpc/server files are allowed when only tRPC itself imports them — never from our code.
 */
export function forbiddenInputs(metafile: Metafile): string[] {
  const bad: string[] = [];
  const importers = new Map<string, string[]>();
  for (const [input, info] of Object.entries(metafile.inputs)) {
    for (const imp of info.imports) importers.set(imp.path, [...(importers.get(imp.path) ?? []), input]);
  }
  for (const input of Object.keys(metafile.inputs)) {
    const hit = FORBIDDEN.find((f) => f.pattern.test(input));
    if (hit) bad.push(`${input} (${hit.why})`);
    if (/node_modules\/@trpc\/server\//.test(input)) {
      // the client's own link helpers live there too (observable); the agent's link uses that one
      const outside = /node_modules\/@trpc\/server\/dist\/observable\//.test(input)
        ? []
        : (importers.get(input) ?? []).filter((i) => !/node_modules\/@trpc\//.test(i));
      if (outside.length > 0) bad.push(`${input} imported by ${outside.join(", ")} (tRPC server runtime: import type AppRouter only)`);
    }
  }
  return bad;
}

/**
 * zod re-exports every message locale (`z.locales`, ~40 languages, ~150 KiB of source); the agent's
 * messages are English only. Parsing that source costs RSS in a daemon meant to stay small.
 */
const englishOnlyZodLocales: Plugin = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: path.join(path.dirname(args.importer), "../locales/en.js"), namespace: "zod-locales" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: "js",
      resolveDir: path.dirname(args.path),
    }));
  },
};

export async function buildAgent(bundle: string = outfile): Promise<{ outfile: string; bytes: number; inputs: number }> {
  const result = await build({
    entryPoints: [path.join(repoRoot, "agent", "main.ts")],
    outfile: bundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minify: true,
    legalComments: "none",
    metafile: true,
    tsconfig: path.join(repoRoot, "tsconfig.json"),
    // CommonJS dependencies inside an ESM bundle still call require() for node built-ins.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __nfvdeckCreateRequire } from 'node:module'; const require = __nfvdeckCreateRequire(import.meta.url);" },
    plugins: [englishOnlyZodLocales],
    logLevel: "warning",
  });
  const bad = forbiddenInputs(result.metafile);
  if (bad.length > 0) throw new Error(`the agent bundle must not include server runtime code:\n  ${bad.join("\n  ")}`);
  await fsp.chmod(bundle, 0o755);
  const bytes = (await fsp.stat(bundle)).size;
  return { outfile: bundle, bytes, inputs: Object.keys(result.metafile.inputs).length };
}

/**
 * The full agent as one executable without Node: `bun build --compile` of the checked bundle (so the same
 * forbidden-input check covers it). Bun comes from the npm package `bun` (a dev dependency).
 */
export async function compileAgentExecutable(bundle: string = outfile, executable: string = fullExecutable): Promise<{ executable: string; bytes: number }> {
  await promisify(execFile)(bunBin, ["build", "--compile", "--minify", bundle, "--outfile", executable], { cwd: repoRoot, maxBuffer: 1 << 20 });
  await fsp.chmod(executable, 0o755);
  return { executable, bytes: (await fsp.stat(executable)).size };
}

/**
 * The native agent with `full` embedded: agent/native is copied to a scratch directory (nothing is
 * written into the tree, so parallel builds do not race), the full agent goes into its
 * internal/full/payload/ gzip-compressed with its SHA-256, and `go build -tags full` (static, stripped,
 * reproducible paths) writes `executable`. Go: $GO or `go` on PATH (Debian's golang-go).
 */
export async function buildNativeAgent(
  full: string = fullExecutable,
  executable: string = nativeExecutable,
  /** the Go module to build (default agent/native; NFVDECK_NATIVE_MODULE: e.g. a clean checkout of it) */
  sourceModule: string = process.env.NFVDECK_NATIVE_MODULE ?? nativeModule,
): Promise<{ executable: string; bytes: number; payloadSha256: string; payloadGzipBytes: number }> {
  const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-native-build-"));
  try {
    const moduleCopy = path.join(scratch, "native");
    const payloadRel = path.join("internal", "full", "payload");
    const notPayload = (src: string) => {
      const rel = path.relative(sourceModule, src);
      return rel !== payloadRel && !rel.startsWith(`${payloadRel}${path.sep}`);
    };
    await fsp.cp(sourceModule, moduleCopy, { recursive: true, filter: notPayload });
    const payloadDir = path.join(moduleCopy, "internal", "full", "payload");
    await fsp.mkdir(payloadDir, { recursive: true });
    const bytes = await fsp.readFile(full);
    const payloadSha256 = createHash("sha256").update(bytes).digest("hex");
    const compressed = await promisify(gzip)(bytes, { level: 6 });
    await fsp.writeFile(path.join(payloadDir, "nfvdeck-agent-full.gz"), compressed);
    await fsp.writeFile(path.join(payloadDir, "nfvdeck-agent-full.sha256"), `${payloadSha256}\n`);
    await promisify(execFile)(
      process.env.GO ?? "go",
      ["build", "-tags", "full", "-trimpath", "-ldflags", "-s -w", "-o", path.resolve(executable), "./cmd/nfvdeck-agent"],
      { cwd: moduleCopy, env: { ...process.env, CGO_ENABLED: "0" }, maxBuffer: 4 << 20 },
    );
    await fsp.chmod(executable, 0o755);
    return { executable, bytes: (await fsp.stat(executable)).size, payloadSha256, payloadGzipBytes: compressed.length };
  } finally {
    await fsp.rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  buildAgent()
    .then(async ({ outfile: file, bytes, inputs }) => {
      process.stdout.write(`${path.relative(repoRoot, file)}: ${(bytes / 1024).toFixed(1)} KiB from ${inputs} inputs (no server runtime)\n`);
      if (process.argv.includes("--no-executable")) return;
      const exe = await compileAgentExecutable(file);
      process.stdout.write(`${path.relative(repoRoot, exe.executable)}: ${(exe.bytes / 1024 / 1024).toFixed(1)} MiB full agent (bun --compile)\n`);
      const native = await buildNativeAgent(exe.executable);
      process.stdout.write(
        `${path.relative(repoRoot, native.executable)}: ${(native.bytes / 1024 / 1024).toFixed(1)} MiB native agent, static (full agent embedded: ${(native.payloadGzipBytes / 1024 / 1024).toFixed(1)} MiB gzip, sha256 ${native.payloadSha256.slice(0, 12)}…)\n`,
      );
    })
    .then(
    () => undefined,
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
