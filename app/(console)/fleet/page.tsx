import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { fleetPageInputOf, fleetQueryToSearch, parseFleetPage, parseFleetPageSize, parseFleetQuery } from "@/server/domain/hosts/fleet";
import { FleetView } from "./fleet-view";

export const metadata: Metadata = { title: "Fleet" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Server-rendered first paint: one page of hosts (filtered and sorted in the server) hydrated into the client view. */
export default async function FleetPage({ searchParams }: Props) {
  const params = await searchParams;
  const query = parseFleetQuery(params);
  const page = parseFleetPage(params);
  const size = parseFleetPageSize(params);
  await requirePageUser("viewer", `/fleet${fleetQueryToSearch(query, page, size)}`);
  await getQueryClient().prefetchQuery(trpc.hosts.fleetPage.queryOptions(fleetPageInputOf(query, page, size)));
  return (
    <HydrateClient>
      <FleetView />
    </HydrateClient>
  );
}
