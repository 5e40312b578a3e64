(globalThis as unknown as { __report: (l: string) => void }).__report("empty");
