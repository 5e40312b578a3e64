import { describe, expect, it } from "vitest";
import { groupDisplayName, vnfOfGroup, vnfsByClass } from "@/server/domain/qos/vnf-group";

describe("per-VNF group names", () => {
  it("maps agent group paths to VNFs, leaves other tools' groups alone", () => {
    expect(vnfOfGroup("mon_groups/nfvdeck-fw")).toBe("fw");
    expect(vnfOfGroup("nfvdeck-fw/mon_groups/nfvdeck-fw")).toBe("fw");
    expect(vnfOfGroup("mon_groups/vnf-a")).toBeNull();
    expect(vnfOfGroup("mon_groups/nfvdeck-")).toBeNull();
    expect(groupDisplayName("rt-vnf/mon_groups/vnf-rt-0")).toBe("rt-vnf/mon_groups/vnf-rt-0");
  });
  it("groups VNFs by class of service; unplaced (no-rmid) ones are in none", () => {
    const m = vnfsByClass([
      { vnf: "fw", path: "nfvdeck-fw/mon_groups/nfvdeck-fw", status: "monitored" },
      { vnf: "dpi", path: "mon_groups/nfvdeck-dpi", status: "monitored" },
      { vnf: "lb", path: "mon_groups/nfvdeck-lb", status: "monitored" },
      { vnf: "x", path: null, status: "no-rmid" },
    ]);
    expect([...m]).toEqual([["nfvdeck-fw", ["fw"]], ["/", ["dpi", "lb"]]]);
  });
});
