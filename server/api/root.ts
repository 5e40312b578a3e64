import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";
import { enroll } from "@/server/api/routers/agent/enroll";
import { report } from "@/server/api/routers/agent/report";
import { health } from "@/server/api/routers/system/health";

export const appRouter = createTRPCRouter({
  agent: createTRPCRouter({ enroll, report }),
  system: createTRPCRouter({ health }),
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
