import { z } from "zod";
import { ROLES, sessionUserSchema } from "@/server/auth/session-user";

/** Input/output schemas for user administration; shared by the routers and the admin page's forms. */
export const roleSchema = z.enum(ROLES);

export const createUserInput = z.object({
  email: z.string().trim().toLowerCase().email("enter a valid email address").max(254),
  name: z.string().trim().min(1, "enter a name").max(120),
  password: z.string().min(12, "use at least 12 characters").max(256, "at most 256 characters"),
  role: roleSchema,
});
export type CreateUserInput = z.infer<typeof createUserInput>;

export const setRoleInput = z.object({ userId: z.string().min(1).max(64), role: roleSchema });

export const userRowSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  createdAt: z.date(),
});

export const meOutput = sessionUserSchema.nullable();

export const createTokenInput = z.object({
  note: z.string().trim().max(200, "at most 200 characters").default(""),
  ttlHours: z.number().int().min(1, "at least 1 hour").max(24 * 30, "at most 30 days").default(24),
});

export const createdTokenSchema = z.object({ id: z.string(), token: z.string(), note: z.string(), expiresAt: z.date() });

export const tokenRowSchema = z.object({
  id: z.string(),
  note: z.string(),
  createdAt: z.date(),
  expiresAt: z.date(),
  usedAt: z.date().nullable(),
  hostId: z.string().nullable(),
});

export const auditRowSchema = z.object({
  id: z.string(),
  at: z.date(),
  actor: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  details: z.unknown(),
});
