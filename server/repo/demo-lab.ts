import { prisma } from "@/server/db";

/**
 * Demo-lab only (server/cli/demo-lab.ts): what a real lab gets from an admin and from time — labels set
 * in the UI, and hosts whose agents went quiet — applied to hosts enrolled through the real API.
 */
export async function setDemoHostLabels(hostId: string, labels: string[]): Promise<void> {
  await prisma().host.update({ where: { id: hostId }, data: { labels } });
}

/** Marks when the host was last heard from (an offline host stopped reporting days ago). */
export async function setDemoHostLastSeen(hostId: string, lastSeenAt: Date): Promise<void> {
  await prisma().host.update({ where: { id: hostId }, data: { lastSeenAt } });
}

/** How many of these host ids exist (a demo rerun reuses a lab that is still in the database). */
export async function countExistingHosts(hostIds: string[]): Promise<number> {
  return prisma().host.count({ where: { id: { in: hostIds } } });
}
