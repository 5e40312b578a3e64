import { describe, expect, it } from "vitest";
import { readOnlyFileMappings, trimFilePages } from "@/agent/trim";

const MAPS = [
  "00400000-00452000 r--p 00000000 fd:01 1311 /usr/lib/nfvdeck-agent/nfvdeck-agent",
  "00452000-01a00000 r-xp 00052000 fd:01 1311 /usr/lib/nfvdeck-agent/nfvdeck-agent",
  "01a00000-01b00000 rw-p 015b0000 fd:01 1311 /usr/lib/nfvdeck-agent/nfvdeck-agent",
  "01b00000-01c00000 rw-p 00000000 00:00 0 ",
  "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 [heap]",
  "7f1000000000-7f1000028000 r--p 00000000 fd:01 2222 /usr/lib/x86_64-linux-gnu/libc.so.6",
  "7f1000028000-7f10001bd000 r-xp 00028000 fd:01 2222 /usr/lib/x86_64-linux-gnu/libc.so.6",
  "7f2000000000-7f2000001000 r--p 00000000 00:05 0 /dev/zero",
  "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]",
  "7ffd00100000-7ffd00102000 r-xp 00000000 00:00 0 [vdso]",
  "7f3000000000-7f3000001000 r--s 00000000 fd:01 3333 /var/lib/shared",
].join("\n");

describe("readOnlyFileMappings", () => {
  it("keeps private read-only and read-execute mappings of files; never writable, anonymous, shared or special ones", () => {
    expect(readOnlyFileMappings(MAPS).map(([a, b]) => `${a.toString(16)}-${b.toString(16)}`)).toEqual([
      "400000-452000",
      "452000-1a00000",
      "7f1000000000-7f1000028000",
      "7f1000028000-7f10001bd000",
    ]);
  });

  it("is empty for an empty table", () => {
    expect(readOnlyFileMappings("")).toEqual([]);
  });
});

describe("trimFilePages", () => {
  it("is a no-op under Node (no bun:ffi), without reading the maps", async () => {
    let read = false;
    expect(await trimFilePages(() => ((read = true), Promise.resolve(MAPS)))).toBeNull();
    expect(read).toBe(false);
  });
});
