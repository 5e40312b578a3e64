import { z } from "zod";
import { operatorProcedure } from "@/server/api/trpc";
import { hostIdInput, scheduleOutput } from "@/server/contract/api/latency";
import { latencyScheduleSchema } from "@/server/contract/latency-schedule";
import { userActor } from "@/server/repo/audit";
import { setSchedule as setScheduleService } from "@/server/services/latency/set-schedule";

/** An operator sets a host's cyclictest schedule; the agent receives it with its next report response. */
export const setSchedule = operatorProcedure
  .input(z.object({ hostId: hostIdInput, schedule: latencyScheduleSchema }).strict())
  .output(scheduleOutput)
  .mutation(({ ctx, input }) => setScheduleService({ hostId: input.hostId, schedule: input.schedule, actor: userActor(ctx.user) }));
