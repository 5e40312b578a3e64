import { viewerProcedure } from "@/server/api/trpc";
import { placementTargetInput, previewPlacementOutput } from "@/server/contract/vnf";
import { previewPlacement as preview } from "@/server/services/placement/preview-placement";

// A preview saves nothing; viewers may see what the allocator would choose.
export const previewPlacement = viewerProcedure
  .input(placementTargetInput)
  .output(previewPlacementOutput)
  .query(({ input }) => preview(input));
