import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { getDriftHistory as getDriftHistoryRepo } from "@/server/repo/compliance";

const rowSchema = z.object({
  kind: z.string(),
  section: z.string(),
  key: z.string(),
  oldValue: z.string().nullable(),
  newValue: z.string().nullable(),
  ruleId: z.string().nullable(),
  oldStatus: z.string().nullable(),
  newStatus: z.string().nullable(),
});

/** A host's drift timeline: what changed and how its compliance changed with it, newest first. */
export const getDriftHistory = viewerProcedure
  .input(z.object({ hostId: z.string().uuid(), limit: z.number().int().min(1).max(2000).default(500), before: z.date().optional() }).strict())
  .output(
    z.object({
      hostId: z.string(),
      entries: z.array(
        z.object({
          at: z.date(),
          text: z.string(),
          changes: z.array(z.string()),
          ruleChanges: z.array(z.object({ ruleId: z.string(), oldStatus: z.string().nullable(), newStatus: z.string().nullable(), text: z.string() })),
          rows: z.array(rowSchema),
        }),
      ),
    }),
  )
  .query(({ input }) => getDriftHistoryRepo(input.hostId, { limit: input.limit, before: input.before }));
