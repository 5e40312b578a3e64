import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { agentCaOutput } from "@/server/contract/job";
import { getAgentCa as get } from "@/server/services/jobs/get-agent-ca";

/** The CA fingerprint a new agent pins at enrolment (with its one-time token). */
export const getAgentCa = adminProcedure
  .input(z.object({}).strict().optional())
  .output(agentCaOutput)
  .query(() => get());
