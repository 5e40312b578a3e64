/** Test helpers for integration tests that report as a real agent does, through the agent router. */
import { sectionHash } from "@/server/contract/canonical";
import type { ReportSections } from "@/server/contract/report";
import type { KernelSection } from "@/server/contract/sections/kernel";
import { agentCaller, enrolHost, uniqueHostname } from "@/server/test/callers";

/** An enrolled host with an agent caller (bearer token), reporting sections with an increasing sequence. */
export async function newReportingAgent(name: string, note: string) {
  const host = await enrolHost(uniqueHostname(name), { note });
  const agent = await agentCaller(host.hostToken);
  let seq = 0;
  const report = (sections: ReportSections, collectedAt: string) =>
    agent.agent.report({ hostId: host.hostId, idempotencyKey: `${host.hostId}:${seq}`, sequence: seq++, collectedAt, agentVersion: "0.0.0-test", hostname: name, sections });
  return { hostId: host.hostId, report };
}

/** The same sections with the kernel section edited (hash recomputed as the agent would). */
export function editKernel(sections: ReportSections, edit: (k: KernelSection) => void): ReportSections {
  const copy = structuredClone(sections);
  const env = copy.kernel;
  if (!env?.data) throw new Error("no kernel section");
  edit(env.data);
  env.hash = sectionHash("kernel", env.data);
  return copy;
}
