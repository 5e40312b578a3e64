import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { buildLocalReport } from "@/agent/report/collect";
import { cleanStrings, cleanText, clipText } from "@/agent/report/clean-text";
import { reportInput } from "@/server/contract/report";

/** What the server cannot store or what is not text: NUL, C0 controls other than \t \n, lone surrogates. */
const UNCLEAN = /[\u0000-\u0008\u000b-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function uncleanStrings(value: unknown, at = "$"): string[] {
  if (typeof value === "string") return UNCLEAN.test(value) ? [`${at}: ${JSON.stringify(value)}`] : [];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [...(UNCLEAN.test(k) ? [`${at} key ${JSON.stringify(k)}`] : []), ...uncleanStrings(v, `${at}.${k}`)]);
}

describe("cleanText", () => {
  it("strips NUL and C0 controls except tab and newline, replaces lone surrogates", () => {
    expect(cleanText("Linux\u0000 version\u0001\u001b[0m 6.1\r\n\tx")).toBe("Linux version[0m 6.1\n\tx");
    expect(cleanText("a\ud800b\udfffc")).toBe("a\ufffdb\ufffdc");
    expect(cleanText("emoji 😀 stays")).toBe("emoji 😀 stays");
    const clean = "Intel Corporation S2600WTT";
    expect(cleanText(clean)).toBe(clean);
  });

  it("property: output is always clean, and clean input comes back unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const c = cleanText(s);
        expect(UNCLEAN.test(c)).toBe(false);
        expect(cleanText(c)).toBe(c);
        expect(c.length).toBeLessThanOrEqual(s.length);
      }),
    );
  });
});

describe("clipText", () => {
  it("never cuts a surrogate pair in half", () => {
    expect(clipText("ab😀", 3)).toBe("ab");
    expect(clipText("ab😀", 4)).toBe("ab😀");
    expect(clipText("abc", 2)).toBe("ab");
    expect(clipText("😀", 0)).toBe("");
  });

  it("property: at most max code units, a prefix, no lone surrogate made", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.nat(40), (s, max) => {
        const c = clipText(s, max);
        expect(c.length).toBeLessThanOrEqual(max);
        expect(s.startsWith(c)).toBe(true);
        expect(UNCLEAN.test(c)).toBe(false);
      }),
    );
  });
});

describe("cleanStrings", () => {
  it("cleans values and keys at any depth and returns the same object when nothing changed", () => {
    const clean = { a: ["x", { b: 1, c: null }], d: "y" };
    expect(cleanStrings(clean)).toBe(clean);
    const dirty = { a: ["x\u0000", { "b\u0007": "\ud800" }], d: "y" };
    expect(cleanStrings(dirty)).toEqual({ a: ["x", { b: "\ufffd" }], d: "y" });
    expect(dirty.a[0]).toBe("x\u0000"); // the input is not mutated
  });

  it("keeps a __proto__ key a plain key", () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "\\u0000"}}') as Record<string, unknown>;
    const out = cleanStrings(parsed);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("a host tree with odd bytes", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-odd-bytes-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("yields a report the server contract accepts, every string clean", async () => {
    cpSync(path.resolve(import.meta.dirname, "../fixtures/kvm4nfv-baseline"), root, { recursive: true });
    // a NUL, a lone 0xff, a truncated 3-byte sequence and a CESU-8 encoded surrogate in /proc/version
    writeFileSync(
      path.join(root, "proc/version"),
      Buffer.concat([Buffer.from("Linux version 4.2.0-rt5\u0000 (root@otcnfv02) "), Buffer.from([0xff, 0xe2, 0x82, 0x20, 0xed, 0xa0, 0x80]), Buffer.from(" #1 SMP PREEMPT RT\n")]),
    );
    // DMI strings as seen on real boards: padding NULs, Latin-1, control bytes, only NULs
    writeFileSync(path.join(root, "sys/class/dmi/id/sys_vendor"), Buffer.from([0x49, 0x6e, 0x74, 0x65, 0x6c, 0x00, 0x00, 0x0a]));
    writeFileSync(path.join(root, "sys/class/dmi/id/product_name"), Buffer.from([0x53, 0x32, 0x36, 0x30, 0x30, 0xe9, 0x1b, 0x07, 0x0a]));
    writeFileSync(path.join(root, "sys/class/dmi/id/bios_version"), Buffer.from([0x00, 0x00, 0x00, 0x0a]));
    writeFileSync(path.join(root, "sys/class/dmi/id/bios_vendor"), Buffer.from(`${"A".repeat(255)}😀\n`));

    const local = await buildLocalReport(new HostFs(root), { now: new Date() });
    expect(uncleanStrings(local)).toEqual([]);
    const kernel = local.sections.kernel?.data;
    expect(kernel?.version).toBe("Linux version 4.2.0-rt5 (root@otcnfv02) \ufffd\ufffd \ufffd\ufffd\ufffd #1 SMP PREEMPT RT");
    const bios = local.sections.bios?.data;
    expect(bios?.dmi).toMatchObject({ sysVendor: "Intel", productName: "S2600\ufffd", biosVersion: null, biosVendor: "A".repeat(255) });

    const parsed = reportInput.safeParse({
      hostId: "0b6f3c5e-2f57-4a8e-9a43-3f1d1c0f6a11",
      idempotencyKey: "0b6f3c5e-2f57-4a8e-9a43-3f1d1c0f6a11:1",
      sequence: 1,
      ...local,
    });
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });
});
