import { describe, expect, it } from "vitest";
import { applyCmdlineEdit, cmdlineSatisfies, editBlsEntry, editGrubDefaults, parseCmdlineEdit, setShellVariable } from "@/server/domain/tuning/cmdline-edit";

describe("kernel command line edits", () => {
  it("replaces a key in place, drops its duplicates, appends new keys, removes keys, keeps init's arguments", () => {
    const edit = parseCmdlineEdit("isolcpus=2-7 nohz_full=2-7", "quiet");
    expect(applyCmdlineEdit('ro isolcpus=1 quiet console="ttyS0,115200 n8" isolcpus=3 -- single isolcpus=9', edit)).toBe('ro isolcpus=2-7 console="ttyS0,115200 n8" nohz_full=2-7 -- single isolcpus=9');
  });

  it("refuses tokens that are not plain kernel parameters, and contradictory edits", () => {
    expect(() => parseCmdlineEdit('a="b c"', "")).toThrow(/not a kernel parameter/);
    expect(() => parseCmdlineEdit("x=1;reboot", "")).toThrow(/not a kernel parameter/);
    expect(() => parseCmdlineEdit("a=1", "a")).toThrow(/also in args/);
    expect(() => parseCmdlineEdit("", "")).toThrow(/at least one/);
    expect(() => parseCmdlineEdit("hugepages=8", "")).toThrow(/order-dependent/);
  });

  it("judges /proc/cmdline by the last occurrence of a key, as the kernel does", () => {
    const edit = parseCmdlineEdit("nohz_full=2-7", "quiet");
    expect(cmdlineSatisfies("ro nohz_full=2-7", edit)).toBe(true);
    expect(cmdlineSatisfies("ro nohz_full=2-7 nohz_full=3", edit)).toBe(false);
    expect(cmdlineSatisfies("ro nohz_full=2-7 quiet", edit)).toBe(false);
    expect(cmdlineSatisfies("ro -- nohz_full=2-7", edit)).toBe(false);
  });

  it("edits GRUB_CMDLINE_LINUX (quoting kept) and strips the keys from GRUB_CMDLINE_LINUX_DEFAULT; other lines untouched", () => {
    const text = "# comment\nGRUB_CMDLINE_LINUX_DEFAULT='quiet nohz_full=1'\nGRUB_CMDLINE_LINUX=\"ro\"\nGRUB_TIMEOUT=5\n";
    expect(editGrubDefaults(text, parseCmdlineEdit("nohz_full=2-7", ""))).toBe("# comment\nGRUB_CMDLINE_LINUX_DEFAULT='quiet'\nGRUB_CMDLINE_LINUX=\"ro nohz_full=2-7\"\nGRUB_TIMEOUT=5\n");
    expect(editGrubDefaults("GRUB_TIMEOUT=5\n", parseCmdlineEdit("tsc=reliable", ""))).toBe('GRUB_TIMEOUT=5\n# nfvdeck tune.cmdline\nGRUB_CMDLINE_LINUX="tsc=reliable"\n');
  });

  it("edits a BLS entry's options line; refuses $kernelopts indirection", () => {
    expect(editBlsEntry("title x\noptions root=/dev/sda ro quiet\n", parseCmdlineEdit("tsc=reliable", "quiet"))).toBe("title x\noptions root=/dev/sda ro tsc=reliable\n");
    expect(editBlsEntry("title x\n", parseCmdlineEdit("tsc=reliable", ""))).toBeNull();
    expect(() => editBlsEntry("options $kernelopts\n", parseCmdlineEdit("tsc=reliable", ""))).toThrow(/kernelopts/);
  });

  it("sets a shell variable on its last assignment only", () => {
    expect(setShellVariable("A=1\n#A=2\nexport A=3 # why\n", "A", "4")).toBe("A=1\n#A=2\nexport A=4 # why\n");
  });
});
