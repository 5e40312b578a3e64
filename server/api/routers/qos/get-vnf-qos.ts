import { viewerProcedure } from "@/server/api/trpc";
import { getVnfQosInput, getVnfQosOutput } from "@/server/contract/api/vnf-qos";
import { getVnfQos as getVnfQosService } from "@/server/services/qos/get-vnf-qos";

/** A VNF's Cache QoS: its group's occupancy/bandwidth per L3 domain, its class's mask, its noisy-neighbour events. */
export const getVnfQos = viewerProcedure
  .input(getVnfQosInput)
  .output(getVnfQosOutput)
  .query(({ input }) => getVnfQosService(input));
