import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFetch } from "@/agent/transport/http-fetch";

let server: http.Server;
let base = "";
const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      seen.push({ method: req.method, headers: req.headers, body });
      if (req.url === "/slow") return void setTimeout(() => res.end("{}"), 2000);
      if (req.url === "/text") return void res.end("not json");
      res.writeHead(req.url === "/missing" ? 404 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify({ echo: body, url: req.url }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("httpFetch", () => {
  it("POSTs a string body with headers and reads JSON back", async () => {
    const res = await httpFetch(`${base}/api/trpc/agent.report`, { method: "POST", headers: { authorization: "Bearer abc", "content-type": "application/json" }, body: '{"a":1}' });
    expect(res.ok).toBe(true);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ echo: '{"a":1}', url: "/api/trpc/agent.report" });
    const last = seen.at(-1);
    expect(last?.method).toBe("POST");
    expect(last?.headers.authorization).toBe("Bearer abc");
    expect(last?.headers["content-length"]).toBe("7");
  });

  it("reports a non-2xx status without throwing", async () => {
    const res = await httpFetch(`${base}/missing`, { method: "GET" });
    expect(res.ok).toBe(false);
    expect(res.status).toBe(404);
  });

  it("rejects json() of a non-JSON body", async () => {
    const res = await httpFetch(`${base}/text`);
    await expect(res.json()).rejects.toThrow();
    expect(await res.text()).toBe("not json");
  });

  it("aborts on its signal", async () => {
    await expect(httpFetch(`${base}/slow`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
  });

  it("fails when nothing listens", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(httpFetch(`http://127.0.0.1:${port}/`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
