/** The e2e lab (plain data, shared by the seeder and the specs). */

/**
 * The e2e hosts report with a 600 s heartbeat, so their status cannot change while the suite runs
 * (online ≤ 1,800 s, stale ≤ 18,000 s, offline after: server/domain/hosts/status.ts).
 */
export const E2E_HEARTBEAT_SECONDS = 600;

/** One host per agent fixture tree. ageS = seconds since its last report. */
export const E2E_HOSTS = [
  { fixture: "kvm4nfv-baseline", hostname: "otcnfv02-baseline", labels: ["pod1", "rt", "kvm4nfv"], ageS: 2 },
  { fixture: "ht-on-rdt", hostname: "pod1-node03-ht", labels: ["pod1", "rdt"], ageS: 4 },
  { fixture: "ht-on-rdt-cdp", hostname: "pod1-node04-cdp", labels: ["pod1", "rdt", "cdp"], ageS: 3600 },
  { fixture: "amd-epyc", hostname: "pod2-epyc-01", labels: ["pod2", "amd"], ageS: 6 },
  { fixture: "this-vm", hostname: "ci-vm-01", labels: ["vm"], ageS: 3 },
  { fixture: "broken-partial", hostname: "pod2-broken-07", labels: ["pod2"], ageS: 86_400 },
] as const;

/** A host that enrolled but never reported: every section "missing". */
export const NEVER_REPORTED_HOST = "pod3-new-01";

export const ALL_E2E_HOSTNAMES: readonly string[] = [...E2E_HOSTS.map((h) => h.hostname), NEVER_REPORTED_HOST];

/** The demo logins (server/repo/users.ts DEMO_USERS), seeded by seedDemoUsers. */
export const E2E_USERS = {
  admin: { email: "admin@nfvdeck.local", password: "nfvdeck-admin-demo" },
  operator: { email: "operator@nfvdeck.local", password: "nfvdeck-operator-demo" },
  viewer: { email: "viewer@nfvdeck.local", password: "nfvdeck-viewer-demo" },
} as const;
