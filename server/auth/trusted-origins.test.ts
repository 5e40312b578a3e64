import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env";
import { trustedOriginSet } from "@/server/auth/trusted-origins";

describe("trusted origins (CSRF allow-list)", () => {
  const publicOrigin = ["https://nfv.example.com"];
  const loopback = ["http://localhost:3000"];
  it.each([
    // configured public origin: only it (and the extra configured ones)
    [publicOrigin, null, "https://nfv.example.com", true],
    [publicOrigin, null, "http://localhost:3000", false],
    [publicOrigin, null, "http://127.0.0.1:3000", false],
    [publicOrigin, "http://localhost:3000", "http://localhost:3000", false],
    [publicOrigin, "http://nfv.example.com", "http://nfv.example.com", false],
    [publicOrigin, null, "https://evil.example", false],
    [["https://nfv.example.com", "https://nfv-b.example.com"], null, "https://nfv-b.example.com", true],
    // configured on loopback: its aliases on the same port, and the loopback origin addressed
    [loopback, null, "http://localhost:3000", true],
    [loopback, null, "http://127.0.0.1:3000", true],
    [loopback, null, "http://[::1]:3000", true],
    [loopback, null, "http://127.0.0.1:3001", false],
    [loopback, "http://localhost:3100", "http://localhost:3100", true],
    [loopback, "http://localhost:3100", "http://localhost:3200", false],
    [loopback, "http://evil.example", "http://evil.example", false],
    [loopback, null, "https://evil.example", false],
  ] as const)("configured %j, request addressed to %s: origin %s trusted = %s", (configured, own, origin, expected) => {
    expect(trustedOriginSet(configured, own).has(origin)).toBe(expected);
  });

  it("validates NFVDECK_TRUSTED_ORIGINS as a list of origins", () => {
    expect(parseEnv({ NFVDECK_TRUSTED_ORIGINS: "https://a.example, https://b.example:8443" }).NFVDECK_TRUSTED_ORIGINS).toEqual(["https://a.example", "https://b.example:8443"]);
    expect(parseEnv({}).NFVDECK_TRUSTED_ORIGINS).toEqual([]);
    expect(() => parseEnv({ NFVDECK_TRUSTED_ORIGINS: "https://a.example/path" })).toThrow(/NFVDECK_TRUSTED_ORIGINS.*not an origin/);
    expect(() => parseEnv({ NFVDECK_TRUSTED_ORIGINS: "javascript:alert(1)" })).toThrow(/NFVDECK_TRUSTED_ORIGINS/);
    expect(() => parseEnv({ NFVDECK_TRUSTED_ORIGINS: "*" })).toThrow(/NFVDECK_TRUSTED_ORIGINS/);
  });
});
