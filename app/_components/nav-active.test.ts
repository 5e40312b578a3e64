import { describe, expect, it } from "vitest";
import { isNavActive } from "@/app/_components/nav-active";

const SECTIONS = ["/fleet", "/compliance", "/latency", "/admin"] as const;

/** The one section highlighted for a path (null: none). */
function activeSection(pathname: string): string | null {
  const hits = SECTIONS.filter((href) => isNavActive(pathname, href));
  if (hits.length > 1) throw new Error(`${pathname} highlights ${hits.join(" and ")}`);
  return hits[0] ?? null;
}

describe("isNavActive", () => {
  it.each([
    ["/fleet", "/fleet"],
    ["/fleet/", "/fleet"],
    ["/hosts/0b6c1d3e-0000-4000-8000-000000000001", "/fleet"],
    ["/hosts/0b6c1d3e-0000-4000-8000-000000000001/compliance", "/fleet"],
    ["/hosts/0b6c1d3e-0000-4000-8000-000000000001/latency", "/fleet"],
    ["/compliance", "/compliance"],
    ["/compliance/profiles", "/compliance"],
    ["/compliance/profiles/kvm4nfv-host", "/compliance"],
    ["/latency", "/latency"],
    ["/latency/compare", "/latency"],
    ["/latency/upload", "/latency"],
    ["/admin", "/admin"],
    ["/latency-old", null],
    ["/fleetwide", null],
    ["/login", null],
    ["/", null],
  ] as const)("%s → %s", (pathname, expected) => {
    expect(activeSection(pathname)).toBe(expected);
  });
});
