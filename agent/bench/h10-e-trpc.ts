import { createAgentApi } from "@/agent/transport/client";
export const x = createAgentApi({ server: "http://127.0.0.1:1" });
(globalThis as unknown as { __report: (l: string) => void }).__report("trpc client");
