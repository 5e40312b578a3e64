import { jobRunnerFromFlags } from "@/agent/commands/job-exec";

export const summary = "settle a job an earlier agent run left in flight (report it failed, never re-run it) and exit";

export async function run(argv: string[]): Promise<number> {
  const made = await jobRunnerFromFlags("job-recover", argv);
  if (!made.ok) return made.code;
  try {
    await made.runner.recover();
    return 0;
  } finally {
    made.release();
  }
}
