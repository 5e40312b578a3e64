/**
 * nfvdeck agent CLI: `<command> [flags]`. Each command lives in agent/commands/<name>.ts and exports
 * `run(argv: string[]): Promise<number>` (exit code); it parses its own flags with zod.
 * To add a command, add one line to COMMANDS.
 */
type CommandModule = { run: (argv: string[]) => Promise<number>; summary: string };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  once: () => import("@/agent/commands/once"),
  capture: () => import("@/agent/commands/capture"),
  run: () => import("@/agent/commands/run"),
  enroll: () => import("@/agent/commands/enroll"),
  "pin-check": () => import("@/agent/commands/pin-check"),
  "parse-cyclictest": () => import("@/agent/commands/parse-cyclictest"),
  simulate: () => import("@/agent/commands/simulate"),
  migrate: () => import("@/agent/commands/migrate"),
  "predict-migration": () => import("@/agent/commands/predict-migration"),
  tune: () => import("@/agent/commands/tune"),
  "job-exec": () => import("@/agent/commands/job-exec"),
  "job-recover": () => import("@/agent/commands/job-recover"),
};

function usage(): string {
  return `usage: nfvdeck-agent <command> [flags]\ncommands: ${Object.keys(COMMANDS).sort().join(", ")}`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  const command = await load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
