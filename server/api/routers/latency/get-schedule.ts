import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { getSchedule as getScheduleRepo } from "@/server/repo/latency";
import { hostIdInput, scheduleOutput } from "./io-schemas";

export const getSchedule = viewerProcedure
  .input(z.object({ hostId: hostIdInput }).strict())
  .output(scheduleOutput)
  .query(({ input }) => getScheduleRepo(input.hostId));
