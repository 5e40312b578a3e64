import type { Prisma } from "@/server/generated/prisma/client";
import type { LatencyRunReport } from "@/server/contract/sections/latency";

// PLACEHOLDER — the latency owner stores runs, threads and rollups here (inside the report's transaction).
export async function storeLatencyRunsTx(
  _tx: Prisma.TransactionClient,
  _hostId: string,
  _runs: LatencyRunReport[],
  _reportKey: string,
): Promise<void> {}
