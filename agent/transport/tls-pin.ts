import { X509Certificate } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { z } from "zod";
import { writeFileDurable } from "@/agent/state";

/**
 * CA pinning for the agent port (the Puppet/Salt model): enrolment gives the agent the SHA-256
 * fingerprint of the server's CA; the agent fetches the CA from the server's TLS handshake (no HTTP
 * request, so no token is sent), checks the fingerprint and that the server certificate chains to
 * it, stores it, and from then on trusts only that CA. Plain HTTP only to loopback.
 */
export type PinnedTls = { ca: string; fingerprint: string; checkServerIdentity: (host: string, cert: tls.PeerCertificate) => Error | undefined };

export function normaliseFingerprint(text: string): string | null {
  const hex = text.replace(/^sha256[:=]/i, "").replace(/:/g, "").trim().toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return (hex.match(/../g) ?? []).join(":");
}

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Why this URL may not carry a host token, or null when it may. */
export function transportProblem(server: string, pinned: boolean): string | null {
  const url = new URL(server);
  if (url.protocol === "http:") return isLoopbackHost(url.hostname) ? null : `plain HTTP is for 127.0.0.1 only; use https://${url.host} with the server's CA fingerprint`;
  if (url.protocol === "https:") return pinned ? null : "https needs the server's CA fingerprint (enroll --ca-fingerprint SHA256)";
  return `unsupported protocol ${url.protocol}`;
}

/** The chain the peer sent, leaf first (node links it through issuerCertificate; a self-signed root points to itself). */
function peerChain(cert: tls.DetailedPeerCertificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let c: tls.DetailedPeerCertificate | undefined = cert;
  while (c?.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(new X509Certificate(c.raw));
    c = c.issuerCertificate;
  }
  return out;
}

/** True when `chain[0]` is issued, link by link, up to a certificate whose fingerprint is `fingerprint`; returns that CA. */
function chainToPin(chain: X509Certificate[], fingerprint: string): X509Certificate | null {
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    if (cert.fingerprint256.toUpperCase() === fingerprint) {
      for (let j = 0; j < i; j++) {
        const child = chain[j]!;
        const parent = chain[j + 1]!;
        if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) return null;
      }
      return cert.ca ? cert : null;
    }
  }
  return null;
}

export function pinnedTls(caPem: string, fingerprint: string): PinnedTls {
  return {
    ca: caPem,
    fingerprint,
    // node has already verified the chain against `ca` (only our CA); check the pin again and the name
    checkServerIdentity: (host, cert) => {
      if (!chainToPin(peerChain(cert as tls.DetailedPeerCertificate), fingerprint)) return new Error("the server certificate does not chain to the pinned CA");
      return tls.checkServerIdentity(host, cert);
    },
  };
}

/** Connects (TLS only, nothing sent), and returns the server's CA PEM if it matches the pin; throws otherwise. */
export async function fetchPinnedCa(server: string, fingerprint: string, timeoutMs = 10_000): Promise<string> {
  const url = new URL(server);
  const port = Number(url.port || 443);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, servername: /^[\d.:]+$/.test(host) ? undefined : host, rejectUnauthorized: false, timeout: timeoutMs });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once("timeout", () => fail(new Error(`no TLS handshake with ${url.host} within ${timeoutMs} ms`)));
    socket.once("error", fail);
    socket.once("secureConnect", () => {
      const chain = peerChain(socket.getPeerCertificate(true));
      socket.end();
      const ca = chainToPin(chain, fingerprint);
      if (!ca) {
        const seen = chain.map((c) => c.fingerprint256).join(", ");
        reject(new Error(`the server at ${url.host} does not present a certificate chaining to the pinned CA ${fingerprint} (it sent: ${seen || "nothing"}); refusing`));
        return;
      }
      resolve(ca.toString());
    });
  });
}

const CA_FILE = "server-ca.json";
const storedCaSchema = z.object({ fingerprint: z.string(), pem: z.string() }).strict();

export async function saveServerCa(stateDir: string, fingerprint: string, pem: string): Promise<void> {
  await writeFileDurable(path.join(stateDir, CA_FILE), `${JSON.stringify({ fingerprint, pem }, null, 2)}\n`, 0o600);
}

/** The pinned CA from the state dir, checked against its stored fingerprint; null when none was pinned. */
export async function loadServerCa(stateDir: string): Promise<PinnedTls | null> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(stateDir, CA_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const stored = storedCaSchema.parse(JSON.parse(text));
  if (new X509Certificate(stored.pem).fingerprint256.toUpperCase() !== stored.fingerprint) throw new Error(`${CA_FILE}: the stored CA does not match its fingerprint`);
  return pinnedTls(stored.pem, stored.fingerprint);
}
