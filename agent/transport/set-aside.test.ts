import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { AgentDaemon, isReportFault } from "@/agent/daemon";
import { HostFs } from "@/agent/hostfs";
import { createAgentApi } from "@/agent/transport/client";
import { SET_ASIDE_DIR, Spool, spoolFileName } from "@/agent/transport/spool";
import { reportInput, type ReportPayload } from "@/server/contract/report";

const HOST_ID = "0b6f3c5e-2f57-4a8e-9a43-3f1d1c0f6a11";

describe("isReportFault", () => {
  it.each([
    [500, true],
    [501, true],
    [507, true],
    [502, false],
    [503, false],
    [504, false],
    [400, false],
    [401, false],
    [null, false],
  ] as const)("HTTP %s → %s", (status, fault) => {
    expect(isReportFault(status)).toBe(fault);
  });
});

/**
 * A stand-in for agent.report on a real socket, speaking tRPC's wire format: down (503) for the first
 * `outage` requests whatever the report, then HTTP 500 for every try of one poisoned idempotency key,
 * 200 for the others. Records the tries per key and every accepted report.
 */
function poisonServer(poisonKey: string, outage: number) {
  const tries = new Map<string, number>();
  const accepted: ReportPayload[] = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      requests += 1;
      if (requests <= outage) {
        res.writeHead(503).end();
        return;
      }
      const report = reportInput.parse(superjson.deserialize(JSON.parse(body) as Parameters<typeof superjson.deserialize>[0]));
      tries.set(report.idempotencyKey, (tries.get(report.idempotencyKey) ?? 0) + 1);
      if (report.idempotencyKey === poisonKey) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: superjson.serialize({ message: "internal error", code: -32603, data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 } }) }));
        return;
      }
      accepted.push(report as ReportPayload);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ result: { data: superjson.serialize({ stored: true, duplicate: false, sectionsChanged: [], config: { heartbeatSeconds: 10, latencySchedule: null } }) } }));
    });
  });
  return { server, tries, accepted };
}

describe("a report the server keeps failing", () => {
  it("is set aside after the bounded tries, counted in the heartbeat, and later reports are delivered; an outage sets nothing aside", async () => {
    const poisonSequence = 2;
    const poisonKey = `${HOST_ID}:${poisonSequence}`;
    const { server, tries, accepted } = poisonServer(poisonKey, 25);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const stateDir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-set-aside-"));
    const credentials = { hostId: HOST_ID, hostToken: "t".repeat(40), server: url, enrolledAt: "2026-01-01T00:00:00.000Z" };
    const daemon = new AgentDaemon({
      stateDir,
      fs: new HostFs(path.join(import.meta.dirname, "../fixtures/empty-tree")),
      credentials,
      api: async () => createAgentApi({ server: url, hostToken: credentials.hostToken, timeoutMs: 2000 }),
      heartbeatMs: 20,
      backoff: { baseMs: 2, maxMs: 10 },
      maxServerErrorTries: 3,
      collectors: [],
      log: () => {},
    });
    const countedInHeartbeat = () => accepted.find((r) => r.heartbeat?.setAside === 1);
    try {
      await daemon.start();
      const deadline = Date.now() + 20_000;
      while (countedInHeartbeat() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await daemon.stop();

      expect(tries.get(poisonKey), "tries of the poisoned report (503s during the outage not counted)").toBe(3);
      const sequences = accepted.map((r) => r.sequence);
      expect(sequences).toContain(poisonSequence - 1);
      expect(sequences.filter((s) => s > poisonSequence).length, "reports after the poisoned one delivered").toBeGreaterThan(0);
      expect(sequences).not.toContain(poisonSequence);
      // in order, each once
      expect(sequences).toEqual([...new Set(sequences)].sort((a, b) => a - b));
      expect(countedInHeartbeat(), "a later heartbeat says one report was set aside").toBeDefined();
      expect(daemon.status.setAside).toBe(1);

      // kept on disk, out of the queue; the count survives a restart
      expect(readdirSync(path.join(stateDir, "spool", SET_ASIDE_DIR))).toEqual([spoolFileName(poisonSequence)]);
      expect(existsSync(path.join(stateDir, "spool", spoolFileName(poisonSequence)))).toBe(false);
      const reopened = await Spool.open(path.join(stateDir, "spool"));
      expect(reopened.setAside).toBe(1);
      expect(reopened.sequences()).not.toContain(poisonSequence);
    } finally {
      await daemon.stop();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 30_000);
});
