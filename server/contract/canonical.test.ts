import { describe, expect, it } from "vitest";
import { canonicalJson, contentHash, sectionHash, sectionHashAndJson } from "./canonical";

const irq = (total: number, effective: number[]) => ({
  columns: [0, 1],
  defaultSmpAffinity: [0, 1],
  irqs: [{ irq: 24, name: "eth0-TxRx-0", chip: "PCI-MSI", hwirq: "1-edge", total, cpusWithCounts: [0], smpAffinity: [0, 1], effectiveAffinity: effective, managed: false }],
  other: [{ name: "LOC", description: "Local timer interrupts", total: total * 10, cpusWithCounts: [0, 1] }],
  warnings: [],
});

describe("sectionHash", () => {
  it("ignores interrupt counters: the irq section keeps its identity from one heartbeat to the next", () => {
    expect(sectionHash("irq", irq(100, [0]))).toBe(sectionHash("irq", irq(250_000, [0])));
    expect(contentHash(irq(100, [0]))).not.toBe(contentHash(irq(250_000, [0])));
  });

  it("changes when what matters changes (an IRQ moved)", () => {
    expect(sectionHash("irq", irq(100, [0]))).not.toBe(sectionHash("irq", irq(100, [1])));
  });

  it("ignores free/reserved hugepages but not the reservation itself", () => {
    const hp = (nr: number, free: number) => ({ sizeKb: 1048576, nr, free, resv: 0, surplus: 0, overcommit: 0 });
    expect(sectionHash("hugepages", { sizes: [hp(16, 16)] })).toBe(sectionHash("hugepages", { sizes: [hp(16, 4)] }));
    expect(sectionHash("hugepages", { sizes: [hp(16, 16)] })).not.toBe(sectionHash("hugepages", { sizes: [hp(8, 8)] }));
  });

  it("is the plain content hash for sections without volatile leaves, and for null", () => {
    const kernel = { release: "6.1.0", total: 3 };
    expect(sectionHash("kernel", kernel)).toBe(contentHash(kernel));
    expect(sectionHash("irq", null)).toBe(contentHash(null));
  });
});

describe("sectionHashAndJson", () => {
  it("gives the identity hash and the canonical text of the whole data (volatile leaves included) in one call", () => {
    const data = irq(100, [0]);
    expect(sectionHashAndJson("irq", data)).toEqual({ hash: sectionHash("irq", data), json: canonicalJson(data) });
    expect(JSON.parse(sectionHashAndJson("irq", data).json)).toEqual(data);
    const kernel = { release: "6.1.0", total: 3 };
    expect(sectionHashAndJson("kernel", kernel)).toEqual({ hash: contentHash(kernel), json: '{"release":"6.1.0","total":3}' });
    expect(sectionHashAndJson("kernel", null)).toEqual({ hash: contentHash(null), json: "null" });
  });
});
