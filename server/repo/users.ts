import { randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import { prisma } from "@/server/db";
import { env, type Env } from "@/server/env";
import { DomainError } from "@/server/errors";
import { Prisma } from "@/server/generated/prisma/client";
import type { Role, SessionUser } from "@/server/auth/session-user";
import { recordAudit, type AuditActor } from "@/server/repo/audit";

const userSelect = { id: true, email: true, name: true, role: true, createdAt: true } as const;

/** One indexed lookup: the session row by token, joined to its user. */
export async function findSessionUserByToken(token: string, now: Date): Promise<SessionUser | null> {
  const row = await prisma().session.findUnique({
    where: { token },
    select: { expiresAt: true, user: { select: { id: true, email: true, name: true, role: true } } },
  });
  if (!row || row.expiresAt <= now) return null;
  return row.user;
}

export async function listUsers() {
  return prisma().user.findMany({ select: userSelect, orderBy: { email: "asc" }, take: 1000 });
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Creates a user with a credential account (better-auth's shape: providerId "credential",
 * password = its scrypt hash), audited in the same transaction.
 */
export async function createUser(opts: { email: string; name: string; password: string; role: Role; actor: AuditActor }) {
  const email = normaliseEmail(opts.email);
  const passwordHash = await hashPassword(opts.password);
  const id = randomUUID();
  try {
    return await prisma().$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { id, email, name: opts.name, role: opts.role, emailVerified: true },
        select: userSelect,
      });
      await tx.account.create({
        data: { id: randomUUID(), accountId: id, providerId: "credential", userId: id, password: passwordHash },
      });
      await recordAudit(opts.actor, "user.create", "user", id, { email, role: opts.role }, tx);
      return user;
    });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
      throw new DomainError("CONFLICT", `a user with email ${email} already exists`);
    }
    throw e;
  }
}

/**
 * Changes a user's role (effective on their next request: the role is read per request).
 * Refuses to remove the last admin, so the console can never lock itself out.
 */
export async function setUserRole(opts: { userId: string; role: Role; actor: AuditActor }) {
  return prisma().$transaction(
    async (tx) => {
      const current = await tx.user.findUnique({ where: { id: opts.userId }, select: { role: true } });
      if (!current) throw new DomainError("NOT_FOUND", "no such user");
      if (current.role === "admin" && opts.role !== "admin") {
        const admins = await tx.user.count({ where: { role: "admin" } });
        if (admins <= 1) throw new DomainError("CONFLICT", "cannot demote the last admin");
      }
      const user = await tx.user.update({ where: { id: opts.userId }, data: { role: opts.role }, select: userSelect });
      await recordAudit(opts.actor, "user.setRole", "user", opts.userId, { from: current.role, to: opts.role }, tx);
      return user;
    },
    { isolationLevel: "Serializable" },
  );
}

/**
 * Creates the user, or — when the email exists — sets its role and (if given) resets its
 * password. Idempotent; used by the first-admin bootstrap and the demo seed.
 */
export async function upsertUserWithPassword(opts: {
  email: string;
  name: string;
  password: string;
  role: Role;
  resetPassword: boolean;
}) {
  const email = normaliseEmail(opts.email);
  const existing = await prisma().user.findUnique({ where: { email }, select: { id: true, role: true } });
  if (!existing) {
    const user = await createUser({ ...opts, email, actor: "system" });
    return { user, created: true };
  }
  const passwordHash = opts.resetPassword ? await hashPassword(opts.password) : null;
  const user = await prisma().$transaction(async (tx) => {
    const user = await tx.user.update({ where: { id: existing.id }, data: { role: opts.role }, select: userSelect });
    if (passwordHash) {
      const updated = await tx.account.updateMany({
        where: { userId: existing.id, providerId: "credential" },
        data: { password: passwordHash },
      });
      if (updated.count === 0) {
        await tx.account.create({
          data: { id: randomUUID(), accountId: existing.id, providerId: "credential", userId: existing.id, password: passwordHash },
        });
      }
    }
    if (existing.role !== opts.role) {
      await recordAudit("system", "user.setRole", "user", existing.id, { from: existing.role, to: opts.role }, tx);
    }
    return user;
  });
  return { user, created: false };
}

// ── Bootstrap: first admin (npm start) and demo users (npm run demo) ─────────────────────────

/**
 * The first admin, from NFVDECK_ADMIN_EMAIL / NFVDECK_ADMIN_PASSWORD. Idempotent: an existing
 * user with that email is (re)made admin; their password is left alone (they may have changed it).
 * Returns null when the variables are not set.
 */
export async function ensureFirstAdmin(
  source: Pick<Env, "NFVDECK_ADMIN_EMAIL" | "NFVDECK_ADMIN_PASSWORD"> = env(),
): Promise<{ email: string; created: boolean } | null> {
  const { NFVDECK_ADMIN_EMAIL: email, NFVDECK_ADMIN_PASSWORD: password } = source;
  if (!email || !password) return null;
  const { user, created } = await upsertUserWithPassword({ email, name: "Administrator", password, role: "admin", resetPassword: false });
  return { email: user.email, created };
}

export type DemoCredential = { email: string; password: string; role: Role };

/** Well-known demo logins (demo only; printed by the launcher). */
export const DEMO_USERS: readonly (DemoCredential & { name: string })[] = [
  { email: "admin@nfvdeck.local", password: "nfvdeck-admin-demo", role: "admin", name: "Demo Admin" },
  { email: "operator@nfvdeck.local", password: "nfvdeck-operator-demo", role: "operator", name: "Demo Operator (lab admin)" },
  { email: "viewer@nfvdeck.local", password: "nfvdeck-viewer-demo", role: "viewer", name: "Demo Viewer (manager)" },
];

/**
 * Seeds the three demo users. Idempotent: reruns reset their roles and passwords, so the printed
 * credentials always work. Returns the credentials for the launcher to print.
 */
export async function seedDemoUsers(): Promise<DemoCredential[]> {
  for (const u of DEMO_USERS) {
    await upsertUserWithPassword({ ...u, resetPassword: true });
  }
  return DEMO_USERS.map(({ email, password, role }) => ({ email, password, role }));
}
