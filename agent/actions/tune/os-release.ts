import type { HostFs } from "@/agent/hostfs";
import { parseShellAssignments } from "@/agent/collectors/kernel";

/** Which boot/config conventions a host follows, from /etc/os-release (ID and ID_LIKE) in its tree. */
export type OsFamily = "debian" | "rhel" | "unknown";

export function familyFromOsRelease(text: string | null): OsFamily {
  if (text === null) return "unknown";
  const vars = parseShellAssignments(text);
  const ids = `${vars.get("ID") ?? ""} ${vars.get("ID_LIKE") ?? ""}`.toLowerCase().split(/\s+/);
  if (ids.some((i) => ["rhel", "fedora", "centos", "rocky", "almalinux", "ol"].includes(i))) return "rhel";
  if (ids.some((i) => ["debian", "ubuntu"].includes(i))) return "debian";
  return "unknown";
}

export async function osFamily(fs: HostFs): Promise<OsFamily> {
  return familyFromOsRelease((await fs.readTextOptional("etc/os-release")) ?? (await fs.readTextOptional("usr/lib/os-release")));
}
