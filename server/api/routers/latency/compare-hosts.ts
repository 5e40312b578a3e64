import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { compareHostsOutput, hostIdInput, windowInput } from "@/server/contract/api/latency";
import { compareHosts as compareHostsService } from "@/server/services/latency/compare-hosts";

/** 2–4 hosts' merged histograms and trends over one window. */
export const compareHosts = viewerProcedure
  .input(z.object({ hostIds: z.array(hostIdInput).min(2).max(4), window: windowInput }).strict())
  .output(compareHostsOutput)
  .query(({ input }) => compareHostsService(input));
