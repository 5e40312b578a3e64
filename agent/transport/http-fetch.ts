import http from "node:http";
import https from "node:https";

/**
 * The small part of fetch() the tRPC client uses (POST a string, read JSON, status), on node:http.
 * Why not the global fetch: it loads undici and compiles its WebAssembly HTTP parser — several MB of
 * RSS in a daemon that sends one small request every 10 s — and it does not work under node's
 * memory-saving --lite-mode/--jitless. One connection per request (no keep-alive): at one request per
 * heartbeat a pooled socket would mostly be a stale one the server already closed.
 */
export interface HttpInit {
  method?: string;
  headers?: Record<string, string> | [string, string][];
  body?: unknown;
  signal?: AbortSignal | null;
  /** https only: trust exactly this CA and check the pin (agent/transport/tls-pin.ts) */
  tls?: { ca: string; checkServerIdentity: (host: string, cert: import("node:tls").PeerCertificate) => Error | undefined };
}

export interface HttpResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/** Largest response body accepted (the server answers a few hundred bytes). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export function httpFetch(input: string | URL | { url: string }, init: HttpInit = {}): Promise<HttpResponse> {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  const body = init.body === undefined || init.body === null ? undefined : typeof init.body === "string" ? init.body : null;
  if (body === null) return Promise.reject(new TypeError("httpFetch: only string bodies are supported"));
  const headers: Record<string, string> = Array.isArray(init.headers) ? Object.fromEntries(init.headers) : { ...(init.headers ?? {}) };
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  const transport = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
  if (!transport) return Promise.reject(new TypeError(`httpFetch: unsupported protocol ${url.protocol}`));

  return new Promise((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      return;
    }
    const tlsOptions = url.protocol === "https:" && init.tls ? { ca: init.tls.ca, checkServerIdentity: init.tls.checkServerIdentity, rejectUnauthorized: true } : {};
    const req = transport.request(url, { method: init.method ?? "GET", headers, agent: false, signal, ...tlsOptions });
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        resolve({
          ok: status >= 200 && status < 300,
          status,
          statusText: res.statusMessage ?? "",
          text: () => Promise.resolve(text),
          json: () => new Promise((ok, fail) => {
            try {
              ok(JSON.parse(text) as unknown);
            } catch (err) {
              fail(err);
            }
          }),
        });
      });
    });
    req.end(body);
  });
}
