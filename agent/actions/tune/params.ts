import { z } from "zod";
import { tryParseCpuList } from "@/server/domain/cpuset/cpuset";

/** A cpu-list parameter ("4-19,44-59") → sorted CPUs. */
export const cpuListParam = z
  .string()
  .transform((s, ctx) => {
    const cpus = tryParseCpuList(s);
    if (cpus === null) {
      ctx.addIssue({ code: "custom", message: `"${s.slice(0, 40)}" is not a cpu list` });
      return z.NEVER;
    }
    return cpus;
  });

export function intParam(min: number, max: number) {
  return z
    .string()
    .regex(/^-?\d+$/, "an integer")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

export const boolParam = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes");
