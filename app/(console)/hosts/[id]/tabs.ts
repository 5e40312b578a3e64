/**
 * The host page's tabs, in order. A tab is a route: app/(console)/hosts/[id]/<segment>/page.tsx
 * ("" = the Overview at app/(console)/hosts/[id]/page.tsx). To add one, add a line here.
 */
export type HostTab = { segment: string; label: string };

export const HOST_TABS: readonly HostTab[] = [
  { segment: "", label: "Overview" },
  { segment: "compliance", label: "Compliance" },
  { segment: "latency", label: "Latency" },
  { segment: "hardware", label: "Hardware & runtime" },
  { segment: "cpus", label: "CPUs" },
  { segment: "qos", label: "Cache QoS" },
  { segment: "migration", label: "Migration" },
];

export function hostTabHref(hostId: string, tab: HostTab): string {
  return tab.segment === "" ? `/hosts/${hostId}` : `/hosts/${hostId}/${tab.segment}`;
}
