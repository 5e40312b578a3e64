import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applyJobEvent, isTerminal, type JobEvent } from "@/server/domain/jobs/transitions";
import { jobStateSchema, type JobState } from "@/server/contract/job";

const at = (state: JobState, cancelRequested = false) => ({ state, cancelRequested });

describe("job state machine", () => {
  it("walks the happy path pending → claimed → running → succeeded", () => {
    const claimed = applyJobEvent(at("pending"), { type: "claim" });
    expect(claimed).toEqual({ ok: true, state: "claimed", cancelRequested: false, finished: false });
    const running = applyJobEvent(at("claimed"), { type: "start" });
    expect(running).toMatchObject({ ok: true, state: "running" });
    expect(applyJobEvent(at("running"), { type: "finish", outcome: "succeeded" })).toEqual({ ok: true, state: "succeeded", cancelRequested: false, finished: true });
  });

  it("cancels a pending job at once, flags a running one for the agent", () => {
    expect(applyJobEvent(at("pending"), { type: "cancel" })).toEqual({ ok: true, state: "cancelled", cancelRequested: true, finished: true });
    expect(applyJobEvent(at("running"), { type: "cancel" })).toEqual({ ok: true, state: "running", cancelRequested: true, finished: false });
    expect(applyJobEvent(at("claimed"), { type: "cancel" })).toMatchObject({ ok: true, state: "claimed", cancelRequested: true });
  });

  it("an expired lease or an agent restart fails the job; it never goes back to pending", () => {
    expect(applyJobEvent(at("running"), { type: "lease-expired" })).toMatchObject({ ok: true, state: "failed" });
    expect(applyJobEvent(at("claimed"), { type: "agent-restarted" })).toMatchObject({ ok: true, state: "failed" });
    expect(applyJobEvent(at("pending"), { type: "lease-expired" })).toMatchObject({ ok: false });
  });

  it("a refusal by the agent is a failure, and a job that never started cannot succeed", () => {
    expect(applyJobEvent(at("claimed"), { type: "finish", outcome: "refused" })).toMatchObject({ ok: true, state: "failed" });
    expect(applyJobEvent(at("claimed"), { type: "finish", outcome: "succeeded" })).toMatchObject({ ok: false });
    expect(applyJobEvent(at("pending"), { type: "finish", outcome: "failed" })).toMatchObject({ ok: false });
  });

  it("a cancelled pending job cannot be claimed", () => {
    expect(applyJobEvent(at("pending", true), { type: "claim" })).toMatchObject({ ok: false });
  });

  const events: JobEvent[] = [
    { type: "claim" },
    { type: "start" },
    { type: "cancel" },
    { type: "lease-expired" },
    { type: "agent-restarted" },
    ...(["succeeded", "failed", "cancelled", "refused"] as const).map((outcome) => ({ type: "finish" as const, outcome })),
  ];

  it("property: terminal states are final, and no event sequence returns a job to pending once claimed", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...events), { maxLength: 30 }), (seq) => {
        let job = at("pending");
        let leftPending = false;
        for (const e of seq) {
          const r = applyJobEvent(job, e);
          if (isTerminal(job.state)) expect(r.ok).toBe(false);
          if (!r.ok) continue;
          expect(jobStateSchema.options).toContain(r.state);
          if (leftPending) expect(r.state).not.toBe("pending");
          if (r.state !== "pending") leftPending = true;
          job = { state: r.state, cancelRequested: r.cancelRequested };
        }
      }),
    );
  });
});
