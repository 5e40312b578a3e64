"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/client";
import { Panel } from "@/app/_components/panel";
import { formatAbsoluteTime } from "@/app/_components/format";
import { ROLES, type Role } from "@/server/auth/session-user";
import { createUserInput } from "@/server/auth/user-input";
import { buttonClass, describedBy, Field, fieldErrors, inputClass, serverErrorOf } from "./form-ui";

export function UsersAdmin({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [roleStatus, setRoleStatus] = useState<{ userId: string; message: string; ok: boolean } | null>(null);

  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: async (user, _vars) => {
        setCreated(`Created ${user.email} (${user.role}).`);
        await invalidate();
      },
      onError: (e) => {
        const { message, fields } = serverErrorOf(e);
        setErrors(fields);
        setFormError(message);
      },
    }),
  );
  const setRole = useMutation(
    trpc.users.setRole.mutationOptions({
      onSuccess: async (user) => {
        setRoleStatus({ userId: user.id, message: `Role set to ${user.role}.`, ok: true });
        await invalidate();
      },
      onError: async (e, vars) => {
        setRoleStatus({ userId: vars.userId, message: serverErrorOf(e).message, ok: false });
        await invalidate();
      },
    }),
  );

  function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    setCreated(null);
    setFormError(null);
    // Validate at the edge with the same schema the server uses.
    const parsed = createUserInput.safeParse({
      email: String(form.get("email") ?? ""),
      name: String(form.get("name") ?? ""),
      password: String(form.get("password") ?? ""),
      role: String(form.get("role") ?? ""),
    });
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error.issues));
      return;
    }
    setErrors({});
    create.mutate(parsed.data, { onSuccess: () => formEl.reset() });
  }

  return (
    <Panel title="Users" id="admin-users">
      <form onSubmit={onCreate} noValidate aria-label="Create user" className="mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-[1fr_1fr_1fr_10rem_auto] lg:items-start">
        <Field id="new-user-email" label="Email" error={errors.email}>
          <input id="new-user-email" name="email" type="email" autoComplete="off" className={inputClass} aria-invalid={!!errors.email} aria-describedby={describedBy("new-user-email", errors.email)} />
        </Field>
        <Field id="new-user-name" label="Name" error={errors.name}>
          <input id="new-user-name" name="name" type="text" autoComplete="off" className={inputClass} aria-invalid={!!errors.name} aria-describedby={describedBy("new-user-name", errors.name)} />
        </Field>
        <Field id="new-user-password" label="Initial password" error={errors.password} hint="At least 12 characters">
          <input id="new-user-password" name="password" type="password" autoComplete="new-password" className={inputClass} aria-invalid={!!errors.password} aria-describedby={describedBy("new-user-password", errors.password, "At least 12 characters")} />
        </Field>
        <Field id="new-user-role" label="Role" error={errors.role}>
          <select id="new-user-role" name="role" defaultValue="viewer" className={inputClass}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <div className="lg:pt-5">
          <button type="submit" className={buttonClass} disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create user"}
          </button>
        </div>
        <div className="sm:col-span-2 lg:col-span-5" aria-live="polite">
          {formError && <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">{formError}</p>}
          {created && <p className="text-sm text-emerald-700 dark:text-emerald-400">{created}</p>}
        </div>
      </form>

      {users.isError && <p role="alert" className="text-sm text-rose-600">Could not load users: {users.error.message}</p>}
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="users-table">
          <caption className="sr-only">Users and their roles</caption>
          <thead className="text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-2 pr-4">Email</th>
              <th scope="col" className="py-2 pr-4">Name</th>
              <th scope="col" className="py-2 pr-4">Role</th>
              <th scope="col" className="py-2 pr-4">Created</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {(users.data ?? []).map((u) => (
              <tr key={u.id}>
                <td className="py-2 pr-4 font-medium">{u.email}</td>
                <td className="py-2 pr-4">{u.name}</td>
                <td className="py-2 pr-4">
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role}
                    disabled={setRole.isPending}
                    onChange={(e) => setRole.mutate({ userId: u.id, role: e.target.value as Role })}
                    className={`${inputClass} w-32`}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                  {u.id === currentUserId && <span className="ml-2 text-xs text-slate-500">(you)</span>}
                  {roleStatus?.userId === u.id && (
                    <span role="status" className={`ml-2 text-xs ${roleStatus.ok ? "text-emerald-700 dark:text-emerald-400" : "text-rose-600 dark:text-rose-400"}`}>
                      {roleStatus.message}
                    </span>
                  )}
                </td>
                <td className="py-2 pr-4 text-slate-500 dark:text-slate-400">{formatAbsoluteTime(u.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
