import { enrollInput, enrollOutput } from "@/server/contract/report";
import { publicProcedure } from "@/server/api/trpc";
import { enrollHost } from "@/server/repo/enrollment";

/** Public by design: the one-time enrolment token is the credential. */
export const enroll = publicProcedure
  .input(enrollInput)
  .output(enrollOutput)
  .mutation(({ input }) => enrollHost(input));
