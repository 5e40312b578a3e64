import "server-only";
import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getQueryClient, trpc } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";

const hostIdSchema = z.string().uuid();

/**
 * The host header + overview sections for a host page (layout and tabs share the per-request
 * query client, so this runs one query per request). A malformed or unknown id is a 404, not a 500.
 */
export async function loadHostOverview(rawId: string, tabPath = "") {
  // Sign-in first: an anonymous visitor learns nothing, not even whether the id is well-formed.
  await requirePageUser("viewer", `/hosts/${encodeURIComponent(rawId)}${tabPath}`);
  const id = hostIdSchema.safeParse(rawId);
  if (!id.success) notFound();
  try {
    return await getQueryClient().fetchQuery(trpc.hosts.get.queryOptions({ id: id.data }));
  } catch (e) {
    if (e instanceof TRPCError && e.code === "NOT_FOUND") notFound();
    throw e;
  }
}
