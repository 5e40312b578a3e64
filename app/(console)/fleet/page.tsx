import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { fleetQueryToSearch, parseFleetQuery } from "@/server/domain/hosts/fleet";
import { FleetView } from "./fleet-view";

export const metadata: Metadata = { title: "Fleet" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Server-rendered first paint: the host list is fetched here and hydrated into the client view. */
export default async function FleetPage({ searchParams }: Props) {
  const query = parseFleetQuery(await searchParams);
  await requirePageUser("viewer", `/fleet${fleetQueryToSearch(query)}`);
  await getQueryClient().prefetchQuery(trpc.hosts.list.queryOptions());
  return (
    <HydrateClient>
      <FleetView />
    </HydrateClient>
  );
}
