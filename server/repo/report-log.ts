/**
 * The Report table is a bounded log of received reports that carry content (sections, latency runs or
 * QoS samples), one row per (host, slot) where slot = sequence mod REPORT_LOG_SLOTS. Heartbeat-only
 * reports write no row: they are deduplicated by Host.lastSequence alone (server/repo/heartbeat-batcher.ts),
 * and no page reads the log. The agent's sequence is monotonic per host and its spool sends in order, so a
 * resend carries a sequence at or just below the newest one: it finds its own slot holding the same
 * sequence (duplicate). A report whose slot already holds a newer sequence is at least REPORT_LOG_SLOTS
 * such reports behind, i.e. long superseded, and is answered as a duplicate too. A host never holds more
 * than REPORT_LOG_SLOTS rows, whatever its report rate.
 *
 * Changing the constant needs a migration that recomputes "slot" (20261202140000_report_sequence_log).
 */
export const REPORT_LOG_SLOTS = 512;

export function reportSlot(sequence: number): number {
  return sequence % REPORT_LOG_SLOTS;
}
