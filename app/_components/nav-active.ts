/**
 * Which main-nav section a path belongs to. Host pages (/hosts/<id>/…) are reached from the fleet
 * list, so they belong to Fleet; every other section owns its path and everything below it
 * (/compliance/profiles/x is Compliance, /latency/compare is Latency), never a mere prefix
 * (/latency-old is not Latency).
 */
export function isNavActive(pathname: string, href: string): boolean {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (href === "/fleet" && (path === "/hosts" || path.startsWith("/hosts/"))) return true;
  return path === href || path.startsWith(`${href}/`);
}
