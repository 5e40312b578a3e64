import { promises as fsp } from "node:fs";
import type http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentApi } from "@/agent/transport/client";
import { fetchPinnedCa, loadServerCa, pinnedTls, saveServerCa, transportProblem } from "@/agent/transport/tls-pin";
import { createAgentPort, ensureGeneratedAgentTls, type AgentTlsMaterial } from "@/server/agent-tls";
import { createIngestServer } from "@/server/ingest-server";
import { disconnectPrisma } from "@/server/db";
import { createEnrollmentToken } from "@/server/repo/enrollment";
import { closeJobListener } from "@/server/repo/job-listener";

let dir: string;
let real: AgentTlsMaterial;
let impostor: AgentTlsMaterial;
const servers: net.Server[] = [];

/** A real agent port (the ingest server behind createAgentPort) on `host`; counts the HTTP requests that reached it. */
async function agentPort(material: AgentTlsMaterial, host = "127.0.0.1"): Promise<{ port: number; requests: () => number }> {
  const httpServer: http.Server = createIngestServer({ maxBodyBytes: 1024 * 1024 });
  let requests = 0;
  httpServer.prependListener("request", () => requests++);
  const port = createAgentPort(httpServer, material);
  servers.push(port);
  await new Promise<void>((r) => port.listen(0, host, r));
  return { port: (port.address() as net.AddressInfo).port, requests: () => requests };
}

const enrollmentToken = async () => (await createEnrollmentToken({ createdById: null, note: "tls test", ttlHours: 1 })).token;

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-tls-"));
  [real, impostor] = await Promise.all([ensureGeneratedAgentTls(path.join(dir, "real")), ensureGeneratedAgentTls(path.join(dir, "impostor"))]);
}, 60_000);

afterAll(async () => {
  for (const s of servers) s.close();
  await closeJobListener();
  await disconnectPrisma();
  await fsp.rm(dir, { recursive: true, force: true });
});

describe("agent port TLS with a pinned CA", () => {
  it("the server's own CA is made once and reused; the fingerprint is the CA's SHA-256", async () => {
    const again = await ensureGeneratedAgentTls(path.join(dir, "real"));
    expect(again.caFingerprint).toBe(real.caFingerprint);
    expect(real.caFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(real.caFingerprint).not.toBe(impostor.caFingerprint);
    expect((await fsp.stat(path.join(dir, "real", "server.key"))).mode & 0o777).toBe(0o600);
  });

  it("an agent with the right pin fetches the CA, enrols over TLS and polls for jobs", async () => {
    const { port, requests } = await agentPort(real);
    const server = `https://127.0.0.1:${port}`;
    const ca = await fetchPinnedCa(server, real.caFingerprint);
    expect(requests()).toBe(0); // the pin check is a bare handshake: no request, no token
    const tls = pinnedTls(ca, real.caFingerprint);
    const enrolled = await createAgentApi({ server, tls }).enroll({ enrollmentToken: await enrollmentToken(), hostname: "tls-agent", agentVersion: "0.0.0" });
    expect(enrolled.hostId).toMatch(/^[0-9a-f-]{36}$/);
    const api = createAgentApi({ server, tls, hostToken: enrolled.hostToken });
    expect(await api.nextJob(0)).toBeNull();
    expect(requests()).toBe(2);

    // stored and re-read from the state dir as `run` does
    await saveServerCa(dir, tls.fingerprint, tls.ca);
    const loaded = await loadServerCa(dir);
    expect(loaded?.fingerprint).toBe(real.caFingerprint);
    expect(await createAgentApi({ server, tls: loaded ?? undefined, hostToken: enrolled.hostToken }).nextJob(0)).toBeNull();
  });

  it("an agent refuses a server whose certificate does not chain to the pinned CA — before sending anything", async () => {
    const { port, requests } = await agentPort(impostor);
    const server = `https://127.0.0.1:${port}`;
    await expect(fetchPinnedCa(server, real.caFingerprint)).rejects.toThrow(/does not present a certificate chaining to the pinned CA/);
    // an agent already holding the real CA talks to the impostor: the handshake fails, the token never leaves
    const api = createAgentApi({ server, tls: pinnedTls(real.caPem, real.caFingerprint), hostToken: "nfvh_secret-token-that-must-not-leak" });
    await expect(api.nextJob(0)).rejects.toThrow();
    await expect(api.enroll({ enrollmentToken: "nfve_0123456789abcdef", hostname: "x", agentVersion: "0" })).rejects.toThrow();
    expect(requests()).toBe(0);
  });

  it("a CA with the right fingerprint but a server certificate it did not issue is refused too", async () => {
    // the impostor's leaf presented with the real CA appended: chain does not verify
    const forged: AgentTlsMaterial = { ...impostor, certChain: impostor.certChain.split(/(?<=-----END CERTIFICATE-----\n)/)[0] + real.caPem };
    const { port, requests } = await agentPort(forged);
    await expect(fetchPinnedCa(`https://127.0.0.1:${port}`, real.caFingerprint)).rejects.toThrow(/refusing/);
    expect(requests()).toBe(0);
  });

  it("host tokens never go out over plain HTTP to a non-loopback address", () => {
    expect(() => createAgentApi({ server: "http://192.0.2.10:3001", hostToken: "nfvh_x" })).toThrow(/plain HTTP is for 127.0.0.1 only/);
    expect(() => createAgentApi({ server: "https://192.0.2.10:3001", hostToken: "nfvh_x" })).toThrow(/CA fingerprint/);
    expect(transportProblem("http://127.0.0.1:3001", false)).toBeNull();
    expect(transportProblem("http://localhost:3001", false)).toBeNull();
  });

  it("the server answers plain HTTP on loopback, and refuses it from a non-loopback address", async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === "IPv4")?.address;
    expect(external, "this test needs one non-loopback IPv4 address on the machine").toBeDefined();
    const { port } = await agentPort(real, "0.0.0.0");
    const local = await fetch(`http://127.0.0.1:${port}/api/trpc/system.ping`);
    expect(local.status).toBe(200);
    const remote = await fetch(`http://${external}:${port}/api/trpc/system.ping`);
    expect(remote.status).toBe(403);
    expect(await remote.text()).toMatch(/plain HTTP to 127.0.0.1 only/);
  });
});
