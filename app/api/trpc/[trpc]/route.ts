import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { csrfRefusal } from "@/server/auth/csrf";

const handler = (req: Request) => {
  // CSRF: cookie-authenticated mutations must be same-origin JSON POSTs (server/auth/csrf.ts).
  const refusal = csrfRefusal(req);
  if (refusal) return Response.json({ error: { message: refusal, code: "FORBIDDEN" } }, { status: 403 });
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTrpcContext({ headers: req.headers, viaHttp: true }),
  });
};

export { handler as GET, handler as POST };
