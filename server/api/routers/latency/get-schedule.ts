import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { hostIdInput, scheduleOutput } from "@/server/contract/api/latency";
import { getSchedule as getScheduleService } from "@/server/services/latency/get-schedule";

export const getSchedule = viewerProcedure
  .input(z.object({ hostId: hostIdInput }).strict())
  .output(scheduleOutput)
  .query(({ input }) => getScheduleService(input));
