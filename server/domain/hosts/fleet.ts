import { z } from "zod";
import { HOST_STATUSES, type HostStatus } from "@/server/domain/hosts/status";
import { FLEET_COMPLIANCE_FILTERS, matchesComplianceFilter, type FleetComplianceFilter } from "@/server/domain/hosts/fleet-compliance";
import type { FleetHost } from "@/server/contract/api/fleet";

/** One row of the fleet overview, declared once as zod in the API contract. */
export type { FleetHost } from "@/server/contract/api/fleet";

export const FLEET_SORT_KEYS = [
  "hostname",
  "status",
  "lastSeen",
  "cpuModel",
  "cpus",
  "kernelRelease",
  "agentVersion",
  "compliance",
] as const;
export type FleetSortKey = (typeof FLEET_SORT_KEYS)[number];
export type SortDirection = "asc" | "desc";

export type FleetQuery = {
  /** free text: whitespace-separated terms, every term must match some field */
  q: string;
  status: HostStatus | "all";
  compliance: FleetComplianceFilter;
  sort: FleetSortKey;
  dir: SortDirection;
};

export const DEFAULT_FLEET_QUERY: FleetQuery = { q: "", status: "all", compliance: "all", sort: "hostname", dir: "asc" };

function firstValue(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

// Each field falls back on its own: one bad parameter in a shared link must not reset the others.
const fleetQuerySchema = z.object({
  q: z.preprocess(firstValue, z.string().max(200).catch("")).catch(""),
  status: z.preprocess(firstValue, z.enum([...HOST_STATUSES, "all"]).catch("all")).catch("all"),
  compliance: z.preprocess(firstValue, z.enum(FLEET_COMPLIANCE_FILTERS).catch("all")).catch("all"),
  sort: z.preprocess(firstValue, z.enum(FLEET_SORT_KEYS).catch("hostname")).catch("hostname"),
  dir: z.preprocess(firstValue, z.enum(["asc", "desc"]).catch("asc")).catch("asc"),
});

/** The fleet view's state from URL search params (as Next gives them, or a URLSearchParams). */
export function parseFleetQuery(params: Record<string, string | string[] | undefined> | URLSearchParams): FleetQuery {
  const record = params instanceof URLSearchParams ? Object.fromEntries(params.entries()) : params;
  const parsed = fleetQuerySchema.safeParse(record);
  return parsed.success ? parsed.data : DEFAULT_FLEET_QUERY;
}

/** Search string for a query (and page); defaults are left out so the plain URL stays plain. */
export function fleetQueryToSearch(query: FleetQuery, page = 1, pageSize = FLEET_PAGE_SIZE): string {
  const p = new URLSearchParams();
  if (query.q.trim() !== "") p.set("q", query.q);
  if (query.status !== DEFAULT_FLEET_QUERY.status) p.set("status", query.status);
  if (query.compliance !== DEFAULT_FLEET_QUERY.compliance) p.set("compliance", query.compliance);
  if (query.sort !== DEFAULT_FLEET_QUERY.sort || query.dir !== DEFAULT_FLEET_QUERY.dir) {
    p.set("sort", query.sort);
    p.set("dir", query.dir);
  }
  if (pageSize !== FLEET_PAGE_SIZE) p.set("size", String(pageSize));
  if (page > 1) p.set("page", String(page));
  const s = p.toString();
  return s === "" ? "" : `?${s}`;
}

function searchableText(h: FleetHost): string {
  return [h.hostname, h.cpuModel, h.cpuVendor, h.kernelRelease, h.agentVersion, ...h.labels, h.isVirtual ? "vm virtual" : ""]
    .filter((x): x is string => typeof x === "string" && x !== "")
    .join("\n")
    .toLowerCase();
}

/** Hosts matching the text filter (every term, case-insensitive), the status and the compliance filter. */
export function filterFleet(
  hosts: readonly FleetHost[],
  q: string,
  status: FleetQuery["status"],
  compliance: FleetComplianceFilter = "all",
): FleetHost[] {
  const terms = q.toLowerCase().split(/\s+/).filter((t) => t !== "");
  return hosts.filter((h) => {
    if (status !== "all" && h.status !== status) return false;
    if (!matchesComplianceFilter(h.compliance, compliance)) return false;
    if (terms.length === 0) return true;
    const text = searchableText(h);
    return terms.every((t) => text.includes(t));
  });
}

const STATUS_RANK: Record<HostStatus, number> = { online: 0, stale: 1, offline: 2 };
const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

type Comparable = string | number | null;

/** The fields a fleet sort reads. The server sorts in SQL in the same order (server/repo/fleet-page.ts, collation "fleet_natural"). */
export type FleetSortFields = Pick<FleetHost, "id" | "hostname" | "status" | "lastSeenAt" | "cpuModel" | "cpus" | "kernelRelease" | "agentVersion"> & {
  compliance: { score: number } | null;
};

function sortValue(h: FleetSortFields, key: FleetSortKey): Comparable {
  switch (key) {
    case "hostname":
      return h.hostname;
    case "status":
      return STATUS_RANK[h.status];
    case "lastSeen":
      return h.lastSeenAt ? h.lastSeenAt.getTime() : null;
    case "cpuModel":
      return h.cpuModel;
    case "cpus":
      return h.cpus;
    case "kernelRelease":
      return h.kernelRelease;
    case "agentVersion":
      return h.agentVersion;
    case "compliance":
      return h.compliance ? h.compliance.score : null;
  }
}

function compareValues(a: Comparable, b: Comparable): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return collator.compare(String(a), String(b));
}

/**
 * Sorted copy. Missing values always sort last (whatever the direction): an unknown CPU model is
 * not "smaller" than a known one. Ties fall back to the host name, then id, so the order is stable.
 */
export function sortFleet<T extends FleetSortFields>(hosts: readonly T[], key: FleetSortKey, dir: SortDirection): T[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...hosts].sort((x, y) => {
    const a = sortValue(x, key);
    const b = sortValue(y, key);
    if (a === null && b !== null) return 1;
    if (b === null && a !== null) return -1;
    const primary = a === null || b === null ? 0 : compareValues(a, b) * sign;
    if (primary !== 0) return primary;
    return collator.compare(x.hostname, y.hostname) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  });
}

export type StatusCounts = Record<HostStatus, number> & { all: number };

export function countByStatus(hosts: readonly FleetHost[]): StatusCounts {
  const counts: StatusCounts = { all: hosts.length, online: 0, stale: 0, offline: 0 };
  for (const h of hosts) counts[h.status] += 1;
  return counts;
}

/** Rows per page of the fleet table: the server sends one page, never the whole fleet. */
export const FLEET_PAGE_SIZE = 100;

const pageSchema = z.preprocess(firstValue, z.coerce.number().int().min(1).max(1_000_000).catch(1)).catch(1);

/** The 1-based page number from the URL's `page` (1 when absent or malformed). */
export function parseFleetPage(params: Record<string, string | string[] | undefined> | URLSearchParams): number {
  const raw = params instanceof URLSearchParams ? params.get("page") : params.page;
  return pageSchema.parse(raw ?? undefined);
}

const pageSizeSchema = z.preprocess(firstValue, z.coerce.number().int().min(1).max(500).catch(FLEET_PAGE_SIZE)).catch(FLEET_PAGE_SIZE);

/** Rows per page from the URL's `size` (FLEET_PAGE_SIZE when absent or malformed). */
export function parseFleetPageSize(params: Record<string, string | string[] | undefined> | URLSearchParams): number {
  const raw = params instanceof URLSearchParams ? params.get("size") : params.size;
  return pageSizeSchema.parse(raw ?? undefined);
}

/** The fleet page's tRPC input (hosts.fleetPage) for a URL query: server prefetch and client use the same key. */
export function fleetPageInputOf(query: FleetQuery, page: number, pageSize = FLEET_PAGE_SIZE): FleetQuery & { page: number; pageSize: number } {
  return { q: query.q, status: query.status, compliance: query.compliance, sort: query.sort, dir: query.dir, page, pageSize };
}

/** The visible rows for a query: filter, then sort. */
export function applyFleetQuery(hosts: readonly FleetHost[], query: FleetQuery): FleetHost[] {
  return sortFleet(filterFleet(hosts, query.q, query.status, query.compliance), query.sort, query.dir);
}

/** Next sort state when a column header is activated: same column flips, a new column starts ascending. */
export function toggleSort(query: FleetQuery, key: FleetSortKey): FleetQuery {
  if (query.sort === key) return { ...query, dir: query.dir === "asc" ? "desc" : "asc" };
  // newest first for last seen; worst first for the compliance score
  return { ...query, sort: key, dir: key === "lastSeen" ? "desc" : "asc" };
}
