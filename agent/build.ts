/**
 * Bundles the agent into one file: dist/nfvdeck-agent.js, runnable with plain `node` (Node ≥ 20), and
 * compiles that bundle into one self-contained executable, dist/nfvdeck-agent (Bun's runtime inside:
 * no Node to install on the host, ≈ 1/3 of Node's idle RSS — see `npm run bench`, footprint).
 * Fails if anything server-side (Prisma, pg, Next, the repo/db layer) would be pulled in: the agent
 * shares only the zod contract and pure domain helpers with the server.
 */
import { build, type Metafile, type Plugin } from "esbuild";
import { execFile } from "node:child_process";
import { promises as fsp } from "node:fs";
import { promisify } from "node:util";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "..");
const outfile = path.join(repoRoot, "dist", "nfvdeck-agent.js");
const executable = path.join(repoRoot, "dist", "nfvdeck-agent");
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

export async function buildAgent(): Promise<{ outfile: string; bytes: number; inputs: number }> {
  const result = await build({
    entryPoints: [path.join(repoRoot, "agent", "main.ts")],
    outfile,
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
  await fsp.chmod(outfile, 0o755);
  const bytes = (await fsp.stat(outfile)).size;
  return { outfile, bytes, inputs: Object.keys(result.metafile.inputs).length };
}

/**
 * One executable for hosts without Node: `bun build --compile` of the checked bundle (so the same
 * forbidden-input check covers it). Bun comes from the npm package `bun` (a dev dependency).
 */
export async function compileAgentExecutable(bundle: string = outfile): Promise<{ executable: string; bytes: number }> {
  await promisify(execFile)(bunBin, ["build", "--compile", "--minify", bundle, "--outfile", executable], { cwd: repoRoot, maxBuffer: 1 << 20 });
  await fsp.chmod(executable, 0o755);
  return { executable, bytes: (await fsp.stat(executable)).size };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  buildAgent()
    .then(async ({ outfile: file, bytes, inputs }) => {
      process.stdout.write(`${path.relative(repoRoot, file)}: ${(bytes / 1024).toFixed(1)} KiB from ${inputs} inputs (no server runtime)\n`);
      if (process.argv.includes("--no-executable")) return;
      const exe = await compileAgentExecutable(file);
      process.stdout.write(`${path.relative(repoRoot, exe.executable)}: ${(exe.bytes / 1024 / 1024).toFixed(1)} MiB self-contained executable (bun --compile)\n`);
    })
    .then(
    () => undefined,
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
