import path from "node:path";
import { readAgentCaFingerprint } from "@/server/agent-tls";
import { defaultDataDir } from "@/server/db-bootstrap";
import { env } from "@/server/env";

/** The SHA-256 fingerprint of the agent port's CA (`enroll --ca-fingerprint`), as the launcher lays out the data directory. */
export function getAgentCa(): { caFingerprint: string | null } {
  return { caFingerprint: readAgentCaFingerprint(env().NFVDECK_DATA_DIR ?? path.dirname(defaultDataDir())) };
}
