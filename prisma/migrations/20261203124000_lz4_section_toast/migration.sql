-- The large jsonb values written on every full report — a host's sections (the topology alone is ≈ 20 KB),
-- their history copies and the compliance findings — are compressed with lz4 instead of pglz where the
-- server has it: pglz took ≈ 0.33 ms per 20 KB value here, lz4 ≈ 0.03 ms (≈ 35 % larger on disk).
-- A server built without lz4 (the embedded PostgreSQL is one) keeps pglz: the block does nothing.
-- PostgreSQL does not carry the setting down to existing partitions, so each is set here, and
-- housekeeping's new partitions take it from their parent (CREATE TABLE … PARTITION OF / LIKE … INCLUDING COMPRESSION).
-- Existing values stay as they were compressed: only new values use the new method.
DO $$
DECLARE
  part regclass;
BEGIN
  ALTER TABLE "HostSection" ALTER COLUMN data SET COMPRESSION lz4;
  ALTER TABLE "ComplianceResult" ALTER COLUMN findings SET COMPRESSION lz4;
  ALTER TABLE "HostSectionHistory" ALTER COLUMN data SET COMPRESSION lz4;
  FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = '"HostSectionHistory"'::regclass LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN data SET COMPRESSION lz4', part);
  END LOOP;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available on this server: TOAST compression stays pglz';
END
$$;
