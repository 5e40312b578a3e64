import { reportInput } from "@/server/contract/report";
export const x = reportInput;
(globalThis as unknown as { __report: (l: string) => void }).__report("contract");
