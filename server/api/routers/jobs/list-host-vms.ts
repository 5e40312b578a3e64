import { viewerProcedure } from "@/server/api/trpc";
import { listHostVmsInput, listHostVmsOutput } from "@/server/contract/job";
import { listHostVms as list } from "@/server/services/jobs/list-host-vms";

export const listHostVms = viewerProcedure
  .input(listHostVmsInput)
  .output(listHostVmsOutput)
  .query(({ input }) => list(input.hostId));
