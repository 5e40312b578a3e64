import { z } from "zod";

/** Environment, validated once at start. Anything invalid stops the process with a clear message. */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** External PostgreSQL. Unset → the embedded default (see server/db-bootstrap.ts). */
  DATABASE_URL: z.string().url().optional(),
  /** The directory the app owns: embedded PostgreSQL data (pg/), auth-secret, the demo's tokens and agent state. */
  NFVDECK_DATA_DIR: z.string().min(1).optional(),
  NFVDECK_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  NFVDECK_ADMIN_EMAIL: z.string().email().optional(),
  NFVDECK_ADMIN_PASSWORD: z.string().min(8).optional(),
  /** Secret for session signing; the demo generates one and keeps it in the data directory. */
  NFVDECK_AUTH_SECRET: z.string().min(32).optional(),
  NFVDECK_PUBLIC_URL: z.string().url().default("http://localhost:3000"),
  /** More browser origins the console is reached under (comma-separated, e.g. "https://nfv.example.com,https://nfv-b.example.com"). */
  NFVDECK_TRUSTED_ORIGINS: z
    .string()
    .default("")
    .transform((list, ctx) => {
      const origins: string[] = [];
      for (const item of list.split(",").map((s) => s.trim()).filter(Boolean)) {
        const u = URL.canParse(item) ? new URL(item) : null;
        if (!u || (u.protocol !== "http:" && u.protocol !== "https:") || u.origin !== item.replace(/\/$/, "")) {
          ctx.addIssue({ code: "custom", message: `"${item}" is not an origin (scheme://host[:port], nothing after)` });
          return z.NEVER;
        }
        origins.push(u.origin);
      }
      return origins;
    }),
  /** Port of the lean agent-facing API (standalone tRPC over node:http). */
  NFVDECK_INGEST_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  NFVDECK_MAX_REPORT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  NFVDECK_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /** when set, GET /metrics requires `Authorization: Bearer <token>` (401 otherwise) */
  NFVDECK_METRICS_TOKEN: z.string().min(16).max(512).regex(/^\S+$/, "no whitespace").optional(),
  /** Retention (days) of time-series rows, enforced by dropping whole partitions (server/services/housekeeping/). */
  NFVDECK_RETENTION_LATENCY_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  NFVDECK_RETENTION_QOS_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** drift events and section history (weekly partitions; each section's latest version is always kept) */
  NFVDECK_RETENTION_HISTORY_DAYS: z.coerce.number().int().min(7).max(3650).default(365),
  /** day latency rollups (hour rollups live as long as the runs: NFVDECK_RETENTION_LATENCY_DAYS) */
  NFVDECK_RETENTION_ROLLUP_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  /** minutes between housekeeping runs in each agent-API process (0 = never) */
  // sign-in attempts per client address per minute (brute-force guard); the e2e suite, which signs
  // in some 80 times within minutes from one address, raises it
  NFVDECK_SIGNIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(10000).default(30),
  NFVDECK_HOUSEKEEPING_MINUTES: z.coerce.number().int().min(0).max(1440).default(15),
  /** "1" serves benchmark-only procedures (system.pingPost); set by `npm run bench` for its own server. */
  NFVDECK_BENCH_ENDPOINTS: z.enum(["0", "1"]).default("0").transform((v) => v === "1"),
}).refine((e) => e.NFVDECK_RETENTION_ROLLUP_DAYS >= e.NFVDECK_RETENTION_LATENCY_DAYS, {
  path: ["NFVDECK_RETENTION_ROLLUP_DAYS"],
  message: "must be at least NFVDECK_RETENTION_LATENCY_DAYS (day rollups outlive the runs they summarise)",
});
export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Env | undefined;
/** The process environment, parsed on first use and then fixed. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
