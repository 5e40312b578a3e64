import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createTRPCRouter, createTrpcContext, publicProcedure } from "@/server/api/trpc";
import { DomainError } from "@/server/errors";

/**
 * The one error formatter (server/api/trpc.ts) over real HTTP: an unexpected error — here one that
 * carries SQL and another host's data, as a failed batch statement's does — reaches the client as
 * "internal error" and an id; the full error is logged on the server only.
 */
const OTHER_HOST = "6f1c2a8e-0b7d-4c3e-9a51-2d4e8f0a1b3c";
const LEAKY = `insert into "Report" ("hostId","idempotencyKey") values ('${OTHER_HOST}','${OTHER_HOST}:42') — invalid byte sequence for encoding "UTF8": 0x00 (hostname nfvi-secret-07)`;

const router = createTRPCRouter({
  crash: publicProcedure.mutation(() => {
    throw new Error(LEAKY);
  }),
  crashQuery: publicProcedure.query(() => {
    throw new TypeError(`Cannot read properties of undefined (reading '${OTHER_HOST}')`);
  }),
  domain: publicProcedure.mutation(() => {
    throw new DomainError("CONFLICT", "already there");
  }),
  typed: publicProcedure.input(z.object({ n: z.number() })).mutation(() => 1),
});

let server: http.Server;
let base: string;
beforeAll(async () => {
  const handler = createHTTPHandler({ router, basePath: "/api/trpc/", createContext: ({ req }) => createTrpcContext({ headers: new Headers(req.headers as Record<string, string>), skipSession: true, viaHttp: true }) });
  server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const post = async (path: string, json: unknown = null) => {
  const res = await fetch(`${base}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json }) });
  return { status: res.status, text: await res.text() };
};

describe("errorFormatter", () => {
  it.each([
    ["a mutation", () => post("crash")],
    ["a query", async () => {
      const res = await fetch(`${base}/crashQuery`);
      return { status: res.status, text: await res.text() };
    }],
  ])("an unexpected error in %s → 500 'internal error (id …)', details only in the server log", async (_name, call) => {
    const logged: unknown[][] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
    try {
      const { status, text } = await call();
      expect(status).toBe(500);
      const body = JSON.parse(text) as { error: { json: { message: string; data: { correlationId: string } } } };
      const { message, data } = body.error.json;
      expect(message).toMatch(/^internal error \(id [0-9a-f]{12}\)$/);
      expect(message).toContain(data.correlationId);
      expect(text).not.toContain(OTHER_HOST);
      expect(text).not.toMatch(/insert into|invalid byte sequence|nfvi-secret|stack|\bat \S+ \(|TypeError/i);
      const line = logged.find((args) => String(args[0]).includes(data.correlationId));
      expect(line, "the error is logged with its id").toBeDefined();
      expect(String((line?.[1] as Error | undefined)?.message ?? line?.[1])).toContain(OTHER_HOST);
    } finally {
      spy.mockRestore();
    }
  });

  it("keeps DomainError and input errors as they are (their messages are ours)", async () => {
    const domain = await post("domain");
    expect(domain.status).toBe(409);
    expect(domain.text).toContain("already there");
    const typed = await post("typed", { n: "x" });
    expect(typed.status).toBe(400);
    expect(typed.text).toMatch(/zodIssues/);
    expect(typed.text).not.toMatch(/"stack"/);
  });
});
