import type { Role } from "@/server/auth/session-user";

/**
 * Who may call each tRPC procedure. server/api/authz-matrix.integration.test.ts calls EVERY
 * procedure of appRouter as anonymous, viewer, operator, admin, a foreign host's agent and the
 * host's own agent, and fails when a procedure has no entry here (or an entry names none).
 *
 * Adding a procedure: add `"area.name": { access, input }`.
 * - access "public": anyone; a Role: that role or higher (signed-in users only); "agent": the bearer
 *   token of the host named in the input (a foreign host's token is refused); "agent-any": any
 *   enrolled host's token (the host is taken from the token, the input names none).
 * - input: a minimal input that passes the guard (BAD_REQUEST / NOT_FOUND / CONFLICT still count
 *   as "allowed past the guard"). Built per call from fixtures, so one-time things stay fresh.
 */
export type Access = "public" | Role | "agent" | "agent-any";

export type AuthzFixtures = {
  /** the host whose agent is the "own agent"; use it wherever an input names a host */
  hostId: string;
  /** a user id any admin mutation may safely touch */
  targetUserId: string;
  /** a fresh one-time enrolment token */
  newEnrollmentToken: () => Promise<string>;
  /** a unique string per call (idempotency keys, emails) */
  unique: () => string;
};

export type AuthzEntry = {
  access: Access;
  input?: (fx: AuthzFixtures) => unknown | Promise<unknown>;
};

export const AUTHZ_TABLE: Record<string, AuthzEntry> = {
  // auth / users / enrolment / admin (helper H4)
  "auth.me": { access: "public" },
  "users.list": { access: "admin" },
  "users.create": {
    access: "admin",
    input: (fx) => ({ email: `m-${fx.unique()}@example.test`, name: "Matrix", password: "matrix-password-1", role: "viewer" }),
  },
  "users.setRole": { access: "admin", input: (fx) => ({ userId: fx.targetUserId, role: "viewer" }) },
  "enrollment.createToken": { access: "admin", input: () => ({ note: "authz matrix", ttlHours: 1 }) },
  "enrollment.listTokens": { access: "admin" },
  "enrollment.getAgentCa": { access: "admin" },
  "admin.auditEvents": { access: "admin", input: () => ({ limit: 5 }) },

  // agent API
  "agent.enroll": {
    // public by design: the one-time enrolment token is the credential
    access: "public",
    input: async (fx) => ({ enrollmentToken: await fx.newEnrollmentToken(), hostname: "matrix-host", agentVersion: "0.0.0" }),
  },
  "agent.report": {
    access: "agent",
    input: (fx) => ({
      hostId: fx.hostId,
      idempotencyKey: `${fx.hostId}:${fx.unique()}`,
      sequence: 1,
      collectedAt: new Date().toISOString(),
      agentVersion: "0.0.0",
      hostname: "matrix-own",
    }),
  },

  // jobs on the agent port (issue 11): the host is the token's
  "agent.jobs.next": { access: "agent-any", input: () => ({ waitMs: 0 }) },
  "agent.jobs.start": { access: "agent-any", input: (fx) => ({ jobId: fx.unique() }) },
  "agent.jobs.renew": { access: "agent-any", input: (fx) => ({ jobId: fx.unique(), progress: null }) },
  "agent.jobs.finish": { access: "agent-any", input: (fx) => ({ jobId: fx.unique(), outcome: "failed", reason: "matrix" }) },

  // jobs (issue 11)
  "jobs.list": { access: "viewer", input: () => ({ limit: 5 }) },
  "jobs.get": { access: "viewer", input: (fx) => ({ id: fx.unique() }) },
  "jobs.createMigration": {
    access: "operator",
    input: (fx) => ({ hostId: fx.hostId, vm: { by: "socket", qmpSocket: "/nonexistent/qmp.sock" }, uri: "tcp:127.0.0.1:1", idempotencyKey: fx.unique() }),
  },
  "jobs.createMigrationPrediction": {
    access: "operator",
    input: (fx) => ({ hostId: fx.hostId, vm: { by: "socket", qmpSocket: "/nonexistent/qmp.sock" }, idempotencyKey: fx.unique() }),
  },
  "jobs.createTune": {
    access: "operator",
    input: (fx) => ({ hostId: fx.hostId, mode: "plan", action: "tune.sysctl.sched_rt_runtime_us", params: {}, idempotencyKey: fx.unique() }),
  },
  "jobs.tuneLatency": { access: "viewer", input: () => ({ jobId: globalThis.crypto.randomUUID() }) },
  "jobs.cancel": { access: "operator", input: (fx) => ({ id: fx.unique() }) },
  "jobs.getMigrationHistory": { access: "viewer", input: (fx) => ({ hostId: fx.hostId, vm: "matrix" }) },
  "jobs.listHostVms": { access: "viewer", input: (fx) => ({ hostId: fx.hostId }) },

  // system
  "system.health": { access: "public" },
  "metrics.getExposition": { access: "public" },
  "system.ping": { access: "public" },
  "system.pingPost": { access: "public" },

  // fleet and hosts
  "hosts.list": { access: "viewer" },
  "hosts.fleetPage": { access: "viewer", input: () => ({ q: "", status: "all", compliance: "all", sort: "hostname", dir: "asc", page: 1 }) },
  "hosts.get": { access: "viewer", input: (fx) => ({ id: fx.hostId }) },

  // Cache QoS (helper H12)
  "qos.getHostQos": { access: "viewer", input: (fx) => ({ hostId: fx.hostId, window: "24h" }) },
  "qos.getVnfQos": { access: "viewer", input: () => ({ vnfId: "00000000-0000-4000-8000-000000000013", window: "24h" }) },
  "qos.proposeVnfMask": { access: "operator", input: (fx) => ({ vnfId: "00000000-0000-4000-8000-000000000013", mask: "3", mode: "plan", idempotencyKey: fx.unique() }) },

  // latency (helper H7)
  "latency.uploadCyclictest": { access: "operator", input: (fx) => ({ hostId: fx.hostId, content: "not cyclictest", load: "idle" }) },
  "latency.listRuns": { access: "viewer", input: (fx) => ({ hostId: fx.hostId }) },
  "latency.getRun": { access: "viewer", input: (fx) => ({ hostId: fx.hostId }) },
  "latency.getHostStats": { access: "viewer", input: (fx) => ({ hostId: fx.hostId, window: { preset: "24h" } }) },
  "latency.getTrend": { access: "viewer", input: (fx) => ({ hostId: fx.hostId, window: { preset: "24h" } }) },
  "latency.getFleetReport": { access: "viewer", input: () => ({ window: { preset: "24h" } }) },
  "latency.fleetReportPage": { access: "viewer", input: () => ({ window: { preset: "24h" } }) },
  "latency.exportFleetReportCsv": { access: "viewer", input: () => ({ window: { preset: "24h" } }) },
  "latency.compareHosts": { access: "viewer", input: (fx) => ({ hostIds: [fx.hostId, fx.unique()], window: { preset: "24h" } }) },
  "latency.getSchedule": { access: "viewer", input: (fx) => ({ hostId: fx.hostId }) },
  "latency.setSchedule": {
    access: "operator",
    input: (fx) => ({
      hostId: fx.hostId,
      schedule: { enabled: false, cpus: "1", durationS: 60, intervalUs: 200, priority: 95, histogramSize: 400, everyMinutes: 5, load: "idle" },
    }),
  },

  // VNFs and CPU placement (issue 10): unknown ids are NOT_FOUND past the guard, nothing changes
  "vnfs.list": { access: "viewer" },
  "vnfs.get": { access: "viewer", input: (fx) => ({ id: fx.unique() }) },
  "vnfs.outputs": { access: "viewer", input: (fx) => ({ vnfId: fx.unique() }) },
  "vnfs.create": {
    access: "operator",
    input: (fx) => ({ name: `matrix-${fx.unique()}`, vcpus: 2, memoryMib: 1024, pageSize: "4K", threadPolicy: "prefer", emulatorThreads: "share" }),
  },
  "vnfs.update": { access: "operator", input: (fx) => ({ id: fx.unique(), description: "matrix" }) },
  "vnfs.delete": { access: "operator", input: (fx) => ({ id: fx.unique() }) },
  "placement.preview": { access: "viewer", input: (fx) => ({ vnfId: fx.unique(), hostId: fx.hostId }) },
  "placement.place": { access: "operator", input: (fx) => ({ vnfId: fx.unique(), hostId: fx.hostId }) },
  "placement.unassign": { access: "operator", input: (fx) => ({ vnfId: fx.unique() }) },
  "placement.hostCpuMap": { access: "viewer", input: (fx) => ({ hostId: fx.hostId }) },

  // compliance (helper H6)
  "compliance.getHostCompliance": { access: "viewer", input: (fx) => ({ hostId: fx.hostId }) },
  "compliance.listFleetCompliance": { access: "viewer", input: () => ({}) },
  "compliance.fleetPage": { access: "viewer", input: () => ({}) },
  "compliance.exportCsv": { access: "viewer", input: () => ({}) },
  "compliance.listProfiles": { access: "viewer", input: () => ({}) },
  "compliance.getProfile": { access: "viewer", input: () => ({ id: "kvm4nfv-host" }) },
  "compliance.getDriftHistory": { access: "viewer", input: (fx) => ({ hostId: fx.hostId }) },
  "compliance.cloneProfile": { access: "admin", input: (fx) => ({ sourceId: "kvm4nfv-host", name: `Matrix ${fx.unique()}` }) },
  // an unknown custom profile: past the guard it is NOT_FOUND, nothing changes
  "compliance.updateProfile": { access: "admin", input: (fx) => ({ id: `custom-${fx.unique()}`, edit: { description: "matrix" } }) },
  "compliance.deleteProfile": { access: "admin", input: (fx) => ({ id: `custom-${fx.unique()}` }) },
  "compliance.assignProfile": { access: "admin", input: (fx) => ({ target: { hostId: fx.hostId }, profileId: `custom-${fx.unique()}` }) },
};
