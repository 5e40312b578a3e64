import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";

function tree(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "hostfs-"));
  mkdirSync(path.join(root, "sys/devices/system/cpu"), { recursive: true });
  writeFileSync(path.join(root, "sys/devices/system/cpu/online"), "0-1\n");
  writeFileSync(path.join(root, "sys/devices/system/cpu/b"), "");
  return root;
}

describe("HostFs", () => {
  it("reads relative to its root, null for missing files and missing parents", async () => {
    const fs = new HostFs(tree());
    expect(await fs.readText("sys/devices/system/cpu/online")).toBe("0-1\n");
    expect(await fs.readText("sys/devices/system/cpu/nohz_full")).toBeNull();
    expect(await fs.readText("sys/devices/system/cpu/online/x")).toBeNull();
    expect(await fs.listDir("sys/devices/system/cpu")).toEqual(["b", "online"]);
    expect(await fs.listDir("sys/fs/resctrl")).toBeNull();
    expect(await fs.exists("sys/devices")).toBe(true);
    expect(await fs.exists("proc")).toBe(false);
  });

  it("refuses absolute and escaping paths", async () => {
    const fs = new HostFs(tree());
    await expect(fs.readText("/etc/passwd")).rejects.toThrow(/relative/);
    await expect(fs.readText("../../etc/passwd")).rejects.toThrow(/escapes/);
  });

  it.each([
    ["sys/devices/system/cpu/online", "/sys/devices/system/cpu/online"],
    ["proc/123/comm", "/proc/123/comm"],
    ["sys/x/", "/sys/x"],
    ["sys//x", "/sys/x"],
    ["./sys/x", "/sys/x"],
    ["sys/./x", "/sys/x"],
    ["sys/a/../x", "/sys/x"],
    ["..sys/.x/x..", "/..sys/.x/x.."],
    ["", ""],
  ])("resolve(%j) under / and under a fixture root", (rel, abs) => {
    expect(new HostFs("/").resolve(rel)).toBe(abs === "" ? "/" : abs);
    expect(new HostFs("/srv/fixture/").resolve(rel)).toBe(`/srv/fixture${abs}`);
  });

  it.each(["..", "../x", "sys/../../x", "sys/../..", "a/../../b"])("resolve(%j) escapes and throws", (rel) => {
    expect(() => new HostFs("/srv/fixture").resolve(rel)).toThrow(/escapes/);
  });
});
