/**
 * Nova flavor extra specs for a VNF shape. Pure.
 *
 * Nova places on one guest NUMA node (hw:numa_nodes=1) but cannot be told which host node; the
 * nfvdeck node choice stays in the libvirt output. hw:emulator_threads_policy=share puts emulator
 * threads on [compute] cpu_shared_set when it is set (the housekeeping CPUs).
 */
import type { PageSize, VnfShape } from "../../contract/placement";

export type NovaExtraSpecs = {
  "hw:cpu_policy": "dedicated";
  "hw:cpu_thread_policy": VnfShape["threadPolicy"];
  "hw:emulator_threads_policy": VnfShape["emulatorThreads"];
  "hw:numa_nodes": "1";
  "hw:mem_page_size": string;
};

/** Nova accepts "small", "large", "any" or a size with a unit ("2MB", "1GB"; a bare number is KiB). */
const MEM_PAGE_SIZE: Record<PageSize, string> = { "1G": "1GB", "2M": "2MB", "4K": "small" };

export function novaExtraSpecs(vnf: VnfShape): NovaExtraSpecs {
  return {
    "hw:cpu_policy": "dedicated",
    "hw:cpu_thread_policy": vnf.threadPolicy,
    "hw:emulator_threads_policy": vnf.emulatorThreads,
    "hw:numa_nodes": "1",
    "hw:mem_page_size": MEM_PAGE_SIZE[vnf.pageSize],
  };
}
