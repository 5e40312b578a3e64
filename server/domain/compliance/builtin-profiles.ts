import { RULE_CATALOGUE } from "@/server/domain/compliance/catalogue";
import type { ProfileModel, RuleConfig } from "@/server/domain/compliance/profile";
import type { ProfileKind } from "@/server/domain/compliance/types";

export const HOST_PROFILE_ID = "kvm4nfv-host";
export const GUEST_PROFILE_ID = "kvm4nfv-guest";
export const BUILTIN_PROFILE_IDS = [HOST_PROFILE_ID, GUEST_PROFILE_ID] as const;

/** The guide's guest boot line isolates vCPU 1: isolcpus=1 nohz_full=1 rcu_nocbs=1 (clone to change). */
const GUEST_PARAMS: Record<string, Record<string, unknown>> = {
  "kernel.isolcpus": { cpus: "1" },
  "kernel.nohz-full": { cpus: "1" },
  "kernel.rcu-nocbs": { cpus: "1" },
};

function rulesFor(kind: ProfileKind, overrides: Record<string, Record<string, unknown>> = {}): RuleConfig[] {
  return RULE_CATALOGUE.filter((r) => r.kinds.includes(kind)).map((r) => ({
    ruleId: r.id,
    enabled: true,
    severity: r.defaultSeverity,
    params: { ...(r.defaultParams as Record<string, unknown>), ...(overrides[r.id] ?? {}) },
  }));
}

/** The two built-in profiles from the KVM4NFV guide. Read-only: admins clone them to customise. */
export function builtinProfiles(): ProfileModel[] {
  return [
    {
      id: HOST_PROFILE_ID,
      name: "KVM4NFV host",
      description:
        "OPNFV KVM4NFV low-latency host: the guide's BIOS baseline, the host kernel boot line (isolcpus = nohz_full = rcu_nocbs, iommu=pt, intel_iommu=on, 1G hugepages, tsc=reliable), KVM module parameters (APICv, VMX preemption timer, ple_gap=0), run-time settings and consistency checks.",
      builtIn: true,
      kind: "host",
      basedOnId: null,
      rules: rulesFor("host"),
      sloMaxUs: 20,
      sloP99999Us: 15,
    },
    {
      id: GUEST_PROFILE_ID,
      name: "KVM4NFV guest",
      description:
        "OPNFV KVM4NFV real-time guest: the guide's guest boot line isolcpus=1 nohz_full=1 rcu_nocbs=1 mce=off idle=poll default_hugepagesz=1G hugepagesz=1G, plus the run-time settings inside the guest.",
      builtIn: true,
      kind: "guest",
      basedOnId: null,
      rules: rulesFor("guest", GUEST_PARAMS),
      sloMaxUs: 20,
      sloP99999Us: 15,
    },
  ];
}

export function isBuiltinProfileId(id: string): boolean {
  return (BUILTIN_PROFILE_IDS as readonly string[]).includes(id);
}
