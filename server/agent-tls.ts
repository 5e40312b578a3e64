import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import type http from "node:http";
import { promisify } from "node:util";

const run = promisify(execFile);

export type AgentTlsMaterial = {
  key: string;
  /** the server certificate followed by its CA: agents pin the CA, so the chain must carry it */
  certChain: string;
  caPem: string;
  /** SHA-256 of the CA certificate (DER), colon-separated hex, as agents pin it */
  caFingerprint: string;
  source: "generated" | "admin";
};

/** "AB:CD:…" (64 hex digits, any case, colons optional) → canonical upper-case colon form, or null. */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.replace(/^sha256[:=]/i, "").replace(/:/g, "").trim().toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(":");
}

export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256.toUpperCase();
}

async function openssl(args: string[], cwd: string): Promise<void> {
  // fixed argv, no shell: nothing here is built from input
  await run("openssl", args, { cwd, timeout: 60_000 });
}

/** Subject alternative names for the generated server certificate: loopback, this host's name, and any configured extras. */
function serverAltNames(extra: string[]): string {
  const names = new Set<string>(["DNS:localhost", "IP:127.0.0.1", "IP:::1", `DNS:${os.hostname()}`]);
  for (const ifaces of Object.values(os.networkInterfaces())) {
    for (const i of ifaces ?? []) if (!i.internal && i.family === "IPv4") names.add(`IP:${i.address}`);
  }
  for (const e of extra) {
    const v = e.trim();
    if (!v) continue;
    names.add(net.isIP(v) ? `IP:${v}` : /^[A-Za-z0-9.-]{1,253}$/.test(v) ? `DNS:${v}` : "");
  }
  names.delete("");
  return [...names].join(",");
}

/**
 * The server's own CA and a server certificate signed by it (openssl CLI, fixed argv), created once
 * and reused. Generated in a scratch directory and renamed into place, so processes starting together
 * (two agent-API processes, parallel tests) never see half a set: the first rename wins, the others
 * use its files. Private keys are 0600.
 */
export async function ensureGeneratedAgentTls(dir: string, extraNames: string[] = []): Promise<AgentTlsMaterial> {
  if (!fs.existsSync(path.join(/* turbopackIgnore: true */ dir, "server.crt"))) {
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
    const tmp = fs.mkdtempSync(`${dir}.tmp-`);
    try {
      await generate(tmp, extraNames);
      try {
        fs.renameSync(tmp, dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw err;
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const p = (f: string) => path.join(/* turbopackIgnore: true */ dir, f);
  const caPem = fs.readFileSync(p("ca.crt"), "utf8");
  const serverPem = fs.readFileSync(p("server.crt"), "utf8");
  return { key: fs.readFileSync(p("server.key"), "utf8"), certChain: serverPem + caPem, caPem, caFingerprint: certificateFingerprint(caPem), source: "generated" };
}

async function generate(dir: string, extraNames: string[]): Promise<void> {
  fs.chmodSync(dir, 0o700);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650", "-subj", "/CN=nfvdeck agent CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
  await openssl(["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=nfvdeck agent API"], dir);
  fs.writeFileSync(path.join(/* turbopackIgnore: true */ dir, "server.ext"), `subjectAltName=${serverAltNames(extraNames)}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  await openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "825", "-extfile", "server.ext"], dir);
  for (const f of ["ca.key", "server.key"]) fs.chmodSync(path.join(/* turbopackIgnore: true */ dir, f), 0o600);
  fs.rmSync(path.join(/* turbopackIgnore: true */ dir, "server.csr"), { force: true });
}

/** The admin's own certificate and key (and the CA that issued it, which agents pin). */
export function loadAdminAgentTls(files: { cert: string; key: string; ca: string }): AgentTlsMaterial {
  const certPem = fs.readFileSync(files.cert, "utf8");
  const caPem = fs.readFileSync(files.ca, "utf8");
  const leaf = new X509Certificate(certPem);
  if (!leaf.checkIssued(new X509Certificate(caPem))) throw new Error(`${files.cert} is not issued by ${files.ca}`);
  return { key: fs.readFileSync(files.key, "utf8"), certChain: certPem.includes(caPem.trim()) ? certPem : certPem + caPem, caPem, caFingerprint: certificateFingerprint(caPem), source: "admin" };
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/, "");
  return a === "::1" || /^127\./.test(a);
}

const PLAIN_REFUSED =
  "HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-type: application/json\r\n\r\n" +
  '{"error":{"message":"the agent port speaks plain HTTP to 127.0.0.1 only: use https:// (and pin the server CA)"}}\n';

/**
 * The agent port: one TCP port that speaks TLS to everyone and plain HTTP only to loopback clients
 * (the launcher's health check, local tests). The first byte tells them apart (0x16 = TLS handshake).
 * Every connection is handed to `httpServer`, so its timeouts and close/closeIdleConnections apply.
 */
export function createAgentPort(httpServer: http.Server, material: AgentTlsMaterial | null): net.Server {
  const secureContext = material ? tls.createSecureContext({ key: material.key, cert: material.certChain, minVersion: "TLSv1.2" }) : null;
  return net.createServer((socket) => {
    socket.on("error", () => socket.destroy());
    socket.once("data", (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      if (first[0] === 0x16 && secureContext) {
        const secure = new tls.TLSSocket(socket, { isServer: true, secureContext });
        secure.on("error", () => secure.destroy());
        httpServer.emit("connection", secure);
      } else if (isLoopbackAddress(socket.remoteAddress)) {
        httpServer.emit("connection", socket);
      } else {
        socket.end(PLAIN_REFUSED);
        return;
      }
      process.nextTick(() => socket.resume());
    });
  });
}

/** The TLS material for the agent port: the admin's (env) or the server's own CA, generated on first start. */
export async function agentTlsFromEnv(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentTlsMaterial | null> {
  if (env.NFVDECK_AGENT_TLS === "off") return null;
  const { NFVDECK_AGENT_TLS_CERT: cert, NFVDECK_AGENT_TLS_KEY: key, NFVDECK_AGENT_TLS_CA: ca } = env;
  if (cert || key || ca) {
    if (!cert || !key || !ca) throw new Error("NFVDECK_AGENT_TLS_CERT, NFVDECK_AGENT_TLS_KEY and NFVDECK_AGENT_TLS_CA go together");
    return loadAdminAgentTls({ cert, key, ca });
  }
  return ensureGeneratedAgentTls(env.NFVDECK_AGENT_TLS_DIR ?? path.join(/* turbopackIgnore: true */ stateDir, "agent-tls"), (env.NFVDECK_AGENT_TLS_NAMES ?? "").split(","));
}

/**
 * The CA fingerprint agents must pin, as the web process sees it (read only: the agent-API process
 * creates the CA at its first start). Null when no CA exists yet or TLS is off.
 */
export function readAgentCaFingerprint(stateDir: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.NFVDECK_AGENT_TLS === "off") return null;
  const file = env.NFVDECK_AGENT_TLS_CA ?? path.join(/* turbopackIgnore: true */ env.NFVDECK_AGENT_TLS_DIR ?? path.join(/* turbopackIgnore: true */ stateDir, "agent-tls"), "ca.crt");
  try {
    return certificateFingerprint(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}
