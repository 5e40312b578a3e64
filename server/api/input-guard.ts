import { TRPCError } from "@trpc/server";
import superjson from "superjson";

/** Keys that would poison a prototype if a payload were ever merged naively. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
export const MAX_INPUT_DEPTH = 64;

/**
 * Refuses input with prototype keys anywhere (as own keys, the way JSON.parse creates them) or
 * nested deeper than MAX_INPUT_DEPTH. Iterative, so hostile nesting cannot overflow the stack.
 * It must run on the raw parsed JSON: superjson and zod records silently drop "__proto__" keys,
 * and a payload should be refused rather than quietly altered.
 */
export function assertSafeInputShape(value: unknown): void {
  const stack: [unknown, number, string][] = [[value, 0, "input"]];
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > MAX_INPUT_DEPTH) {
      throw new TRPCError({ code: "BAD_REQUEST", message: `${path}: nested deeper than ${MAX_INPUT_DEPTH} levels` });
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], depth + 1, `${path}.${i}`]);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new TRPCError({ code: "BAD_REQUEST", message: `${path}: forbidden key "${key}"` });
      }
      stack.push([(v as Record<string, unknown>)[key], depth + 1, `${path}.${key}`]);
    }
  }
}

/** superjson, with the shape guard applied to every request input before superjson walks it. */
export const guardedSuperjson = {
  input: {
    serialize: (object: unknown) => superjson.serialize(object),
    deserialize: (object: unknown) => {
      assertSafeInputShape(object);
      return superjson.deserialize(object as Parameters<typeof superjson.deserialize>[0]);
    },
  },
  output: {
    serialize: (object: unknown) => superjson.serialize(object),
    deserialize: (object: unknown) => superjson.deserialize(object as Parameters<typeof superjson.deserialize>[0]),
  },
};
