import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { AgentDaemon, selectSections } from "@/agent/daemon";
import { HostFs } from "@/agent/hostfs";
import { createAgentApi } from "@/agent/transport/client";
import { reportInput, type ReportSections, type SectionName } from "@/server/contract/report";

const H = (c: string) => c.repeat(64);
const env = (hash: string, ok = true, available = true) => ({ ok, available, durationMs: 1, hash, data: null });
const sig = (hash: string, ok = true, available = true) => `${ok ? 1 : 0}${available ? 1 : 0}:${hash}`;
const map = (entries: [SectionName, string][]) => new Map<SectionName, string>(entries);

describe("selectSections", () => {
  const current = { kernel: env(H("a")), irq: env(H("b")), bios: env(H("c"), true, false) } as ReportSections;

  it.each([
    { name: "first report (nothing delivered or queued): everything", delivered: [], queued: [], full: false, sent: ["kernel", "irq", "bios"] },
    {
      name: "unchanged since the last delivered report: nothing",
      delivered: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      full: false,
      sent: [],
    },
    {
      name: "full (start, hourly, after a static eviction): everything even if unchanged",
      delivered: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      full: true,
      sent: ["kernel", "irq", "bios"],
    },
    {
      name: "irq hash changed: only irq",
      delivered: [["kernel", sig(H("a"))], ["irq", sig(H("9"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("a"))], ["irq", sig(H("9"))], ["bios", sig(H("c"), true, false)]],
      full: false,
      sent: ["irq"],
    },
    {
      name: "same hash but the collector used to fail: kernel again (ok flag is part of the state)",
      delivered: [["kernel", sig(H("a"), false)], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("a"), false)], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      full: false,
      sent: ["kernel"],
    },
    {
      name: "changed and queued but not delivered yet (outage): repeated until delivered",
      delivered: [["kernel", sig(H("0"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      full: false,
      sent: ["kernel"],
    },
    {
      name: "A→B→A during an outage: A again, though it equals what was delivered",
      delivered: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("e"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      full: false,
      sent: ["kernel"],
    },
  ] as { name: string; delivered: [SectionName, string][]; queued: [SectionName, string][]; full: boolean; sent: SectionName[] }[])(
    "$name",
    ({ delivered, queued, full, sent }) => {
      const picked = selectSections(current, map(delivered), map(queued), full);
      expect(Object.keys(picked).sort()).toEqual([...sent].sort());
      for (const name of sent) expect(picked[name]).toBe(current[name]);
    },
  );

  it("no sections collected: nothing to send", () => {
    expect(selectSections({}, map([]), map([]), true)).toEqual({});
  });
});

describe("heartbeat loss counters", () => {
  it("reports spoolDropped and rejected to the server after an outage overflowed the spool", async () => {
    // A stand-in for agent.report speaking tRPC's wire format: down (503) for the first 40 requests,
    // then it refuses one report (400) and accepts the rest, recording every accepted body.
    const accepted: unknown[] = [];
    let requests = 0;
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        requests += 1;
        if (requests <= 40) {
          res.writeHead(503).end();
          return;
        }
        if (requests === 41) {
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: superjson.serialize({ message: "bad report", code: -32600, data: { code: "BAD_REQUEST", httpStatus: 400 } }) }));
          return;
        }
        accepted.push(superjson.deserialize(JSON.parse(body) as Parameters<typeof superjson.deserialize>[0]));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ result: { data: superjson.serialize({ stored: true, duplicate: false, sectionsChanged: [], config: { heartbeatSeconds: 10, latencySchedule: null } }) } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const stateDir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-daemon-loss-"));
    const credentials = { hostId: "0b6f3c5e-2f57-4a8e-9a43-3f1d1c0f6a11", hostToken: "t".repeat(40), server: url, enrolledAt: new Date().toISOString() };
    const daemon = new AgentDaemon({
      stateDir,
      fs: new HostFs(path.join(import.meta.dirname, "fixtures/kvm4nfv-baseline")),
      credentials,
      api: async () => createAgentApi({ server: url, hostToken: credentials.hostToken, timeoutMs: 2000 }),
      heartbeatMs: 20,
      backoff: { baseMs: 5, maxMs: 20 },
      spoolLimits: { maxFiles: 3, maxBytes: 64 * 1024 * 1024 },
      collectors: [],
      log: () => {},
    });
    try {
      await daemon.start();
      const deadline = Date.now() + 20_000;
      // reports spooled before the refusal carry rejected: 0; wait for one spooled after it
      const afterRefusal = () => accepted.map((a) => reportInput.parse(a)).find((r) => r.heartbeat?.rejected === 1);
      while (afterRefusal() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await daemon.stop();
      const report = afterRefusal();
      expect(report, "no report sent after the refused one").toBeDefined();
      expect(accepted.map((a) => reportInput.parse(a).heartbeat?.rejected ?? -1).every((n) => n === 0 || n === 1)).toBe(true);
      expect(report?.heartbeat?.spoolDropped).toBe(daemon.status.dropped?.reports);
      expect(report?.heartbeat?.spoolDropped).toBeGreaterThan(0); // 40 failed tries against 3 files: the spool overflowed
    } finally {
      await daemon.stop();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 30_000);
});
