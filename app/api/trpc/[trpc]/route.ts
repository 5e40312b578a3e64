import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { csrfRefusal } from "@/server/auth/csrf";
import { agentProcedureRefusal, CONSOLE_MAX_BODY_BYTES, withBodyLimit } from "@/server/api/console-route";

const handler = async (incoming: Request) => {
  // Agent procedures live on the agent API port only (server/api/console-route.ts).
  const agentOnly = agentProcedureRefusal(incoming);
  if (agentOnly) return agentOnly;
  // CSRF: cookie-authenticated mutations must be same-origin JSON POSTs (server/auth/csrf.ts).
  const refusal = csrfRefusal(incoming);
  if (refusal) return Response.json({ error: { message: refusal, code: "FORBIDDEN" } }, { status: 403 });
  // Every body is bounded (uploads included); agent reports are refused above, their 1 MiB holds.
  const req = await withBodyLimit(incoming, CONSOLE_MAX_BODY_BYTES);
  if (req instanceof Response) return req;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTrpcContext({ headers: req.headers, viaHttp: true }),
  });
};

export { handler as GET, handler as POST };
