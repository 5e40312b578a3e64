import Link from "next/link";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import { tuneActionIdSchema } from "@/server/contract/tuning";
import { loadHostOverview } from "../load-host";
import { TuneFlow } from "./tune-flow";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export const metadata = { title: "Tuning" };

/** Parameters an action cannot guess, prefilled for the operator to check (key=value per line). */
const DEFAULT_PARAMS: Record<string, string> = {
  "tune.hugepages": "size=1G\ncount=16",
  "tune.cat": "group=\nmask=",
  "tune.cmdline": "args=\nremove=",
};

/** "Fix…" from a failing compliance rule: plan on the agent, confirm, apply, verify, roll back. Operators and admins only. */
export default async function HostTunePage({ params, searchParams }: Props) {
  const rawId = (await params).id;
  const { host } = await loadHostOverview(rawId, "/tune");
  const user = await requirePageUser("operator", `/hosts/${host.id}/tune`);
  const sp = await searchParams;
  const action = tuneActionIdSchema.safeParse(typeof sp.action === "string" ? sp.action : "");
  const rule = typeof sp.rule === "string" && /^[a-z0-9._-]{1,128}$/.test(sp.rule) ? sp.rule : null;
  return (
    <div className="space-y-4">
      <p className="text-sm">
        <Link href={`/hosts/${host.id}/compliance`} className="text-sky-700 underline dark:text-sky-400">
          Compliance
        </Link>{" "}
        / Fix{rule ? <> <code className="font-mono text-xs">{rule}</code></> : null}
      </p>
      {!action.success ? (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300" data-testid="tune-unknown-action">
          Unknown tuning action. Known: {tuneActionIdSchema.options.join(", ")}.
        </p>
      ) : (
        <TuneFlow hostId={host.id} hostname={host.hostname} action={action.data} ruleId={rule} defaultParams={DEFAULT_PARAMS[action.data] ?? ""} canOperate={roleAtLeast(user.role, "operator")} />
      )}
    </div>
  );
}
