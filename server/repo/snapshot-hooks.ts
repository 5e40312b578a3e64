// Transitional: the ingest path (server/repo/ingest.ts) still imports this; it moves to server/services with
// the one report write path. Until then this file forwards to the compliance service.
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
export { afterSnapshotChange } from "@/server/services/compliance/record-snapshot-change";
