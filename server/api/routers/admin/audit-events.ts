import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { auditRowSchema } from "@/server/auth/user-input";
import { listAuditEvents } from "@/server/repo/audit";

export const auditEvents = adminProcedure
  .input(
    z.object({
      targetType: z.string().max(64).optional(),
      targetId: z.string().max(128).optional(),
      limit: z.number().int().min(1).max(500).default(100),
    }),
  )
  .output(z.array(auditRowSchema))
  .query(({ input }) => listAuditEvents(input));
