import { createCaller } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const caller = createCaller(await createTrpcContext({ headers: req.headers, skipSession: true }));
  const h = await caller.system.health();
  return Response.json(h, { status: h.ok ? 200 : 503 });
}
