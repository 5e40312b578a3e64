import "server-only";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache, type ReactNode } from "react";
import { appRouter, createCaller } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { makeQueryClient } from "./query-client";

/** One query client per request (React cache). */
export const getQueryClient = cache(makeQueryClient);

const createContext = cache(async () => createTrpcContext({ headers: new Headers(await headers()) }));

/** For SSR prefetch: `void queryClient.prefetchQuery(trpc.hosts.list.queryOptions())`. */
export const trpc = createTRPCOptionsProxy({ ctx: createContext, router: appRouter, queryClient: getQueryClient });

/** Direct server-side calls from RSC pages. */
export const serverCaller = cache(async () => createCaller(await createContext()));

export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
