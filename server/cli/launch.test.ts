import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_LISTEN, parseListenArg, pgDataDirIn } from "@/server/cli/launch";

describe("--listen", () => {
  it("is loopback unless given; takes an IP address; refuses anything else by name", () => {
    expect(DEFAULT_LISTEN).toBe("127.0.0.1");
    expect(parseListenArg([])).toBe("127.0.0.1");
    expect(parseListenArg(["--listen", "0.0.0.0"])).toBe("0.0.0.0");
    expect(parseListenArg(["--listen=::"])).toBe("::");
    expect(() => parseListenArg(["--listen", "example.com"])).toThrow('--listen: not an IP address: "example.com"');
    expect(() => parseListenArg(["--bind", "0.0.0.0"])).toThrow(/--bind/);
  });
});

describe("the app's data directory", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-appdir-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps PostgreSQL in pg/ inside it, or in it when an older install put PG_VERSION there", () => {
    expect(pgDataDirIn(dir)).toBe(path.join(dir, "pg"));
    writeFileSync(path.join(dir, "PG_VERSION"), "18\n");
    expect(pgDataDirIn(dir)).toBe(dir);
  });
});
