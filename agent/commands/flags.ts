import { parseArgs } from "node:util";
import type { z } from "zod";

/**
 * Parse `--flag value` / `--switch` arguments with node's parseArgs, then validate them with a zod schema.
 * Returns the parsed flags and positionals, or an error message fit for the user.
 */
export function parseFlags<S extends z.ZodType>(
  argv: string[],
  options: Record<string, { type: "string" | "boolean"; short?: string }>,
  schema: S,
): { ok: true; flags: z.infer<S>; positionals: string[] } | { ok: false; error: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    return { ok: false, error: result.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ") };
  }
  return { ok: true, flags: result.data, positionals: parsed.positionals };
}
