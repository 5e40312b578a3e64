import { viewerProcedure } from "@/server/api/trpc";
import { listVnfsOutput } from "@/server/contract/vnf";
import { listVnfs as list } from "@/server/services/placement/list-vnfs";

export const listVnfs = viewerProcedure.output(listVnfsOutput).query(() => list());
