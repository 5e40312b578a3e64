import { z } from "zod";
import { operatorProcedure } from "@/server/api/trpc";
import { userActor } from "@/server/repo/audit";
import { setSchedule as setScheduleRepo } from "@/server/repo/latency";
import { hostIdInput, scheduleFields, scheduleOutput } from "./io-schemas";

/** An operator sets a host's cyclictest schedule; the agent receives it with its next report response. */
export const setSchedule = operatorProcedure
  .input(z.object({ hostId: hostIdInput, schedule: scheduleFields }).strict())
  .output(scheduleOutput)
  .mutation(({ ctx, input }) => setScheduleRepo(input.hostId, input.schedule, userActor(ctx.user)));
