import { checkDatabase } from "@/server/repo/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const h = await checkDatabase();
  return Response.json(h, { status: h.ok ? 200 : 503 });
}
