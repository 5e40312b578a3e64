import { z } from "zod";
import { operatorProcedure } from "@/server/api/trpc";
import { userActor } from "@/server/repo/audit";
import { MAX_UPLOAD_CHARS } from "@/server/domain/latency/upload";
import { hostIdInput, uploadOutput } from "@/server/contract/api/latency";
import { uploadCyclictest as uploadCyclictestService } from "@/server/services/latency/upload-cyclictest";

/** An operator uploads a cyclictest output file (text of either generation, or --json). */
export const uploadCyclictest = operatorProcedure
  .input(
    z
      .object({
        hostId: hostIdInput,
        content: z.string().min(1, "the file is empty").max(MAX_UPLOAD_CHARS, "file too large (8 MiB at most)"),
        load: z.string().trim().min(1).max(256),
        startedAt: z.coerce.date().optional(),
        cmdline: z.string().max(4096).optional(),
        unit: z.enum(["us", "ns"]).optional(),
      })
      .strict(),
  )
  .output(uploadOutput)
  .mutation(({ ctx, input }) => uploadCyclictestService({ input, actor: userActor(ctx.user) }));
