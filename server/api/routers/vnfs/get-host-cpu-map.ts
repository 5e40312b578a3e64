import { viewerProcedure } from "@/server/api/trpc";
import { hostCpuMapInput, hostCpuMapOutput } from "@/server/contract/vnf";
import { getHostCpuMap as get } from "@/server/services/placement/get-host-cpu-map";

export const getHostCpuMap = viewerProcedure
  .input(hostCpuMapInput)
  .output(hostCpuMapOutput)
  .query(({ input }) => get(input.hostId));
