import { describe, expect, it } from "vitest";
import { readSysctlValue, setSysctlValue, sysctlFileSortsAfter } from "@/server/domain/tuning/sysctl-conf";

describe("sysctl.d files", () => {
  it("reads the last assignment, with . or / in the key", () => {
    expect(readSysctlValue("kernel.sched_rt_runtime_us = 5\n# x\nkernel/sched_rt_runtime_us=-1\n", "kernel.sched_rt_runtime_us")).toBe("-1");
    expect(readSysctlValue("vm.swappiness=1\n", "kernel.sched_rt_runtime_us")).toBeNull();
  });
  it("sets the key keeping other lines, creates the file with a header", () => {
    expect(setSysctlValue("vm.swappiness = 1\nkernel.sched_rt_runtime_us=5\n", "kernel.sched_rt_runtime_us", "-1", "h")).toBe("vm.swappiness = 1\nkernel.sched_rt_runtime_us = -1\n");
    expect(setSysctlValue("vm.swappiness = 1", "kernel.sched_rt_runtime_us", "-1", "h")).toBe("vm.swappiness = 1\nkernel.sched_rt_runtime_us = -1\n");
    expect(setSysctlValue(null, "kernel.sched_rt_runtime_us", "-1", "h")).toBe("# h\nkernel.sched_rt_runtime_us = -1\n");
  });
  it("knows which files are read after ours", () => {
    expect(sysctlFileSortsAfter("/etc/sysctl.conf", "/etc/sysctl.d/99-nfvdeck.conf")).toBe(true);
    expect(sysctlFileSortsAfter("/usr/lib/sysctl.d/50-default.conf", "/etc/sysctl.d/99-nfvdeck.conf")).toBe(false);
    expect(sysctlFileSortsAfter("/etc/sysctl.d/99-sysctl.conf", "/etc/sysctl.d/99-nfvdeck.conf")).toBe(true);
  });
});
