import { auth } from "@/server/auth/auth";
import { authPostRefusal } from "@/server/auth/csrf";

/** The /api/auth/* handler: our origin check first, then better-auth (sign-in, sign-out, session). */
export async function handleAuthRequest(req: Request): Promise<Response> {
  const refusal = authPostRefusal(req);
  if (refusal) return Response.json({ message: refusal, code: "FORBIDDEN" }, { status: 403 });
  return auth().handler(req);
}
