-- Heartbeats update "Host" 2,000 times a second at 20,000 hosts. An index on "lastSeenAt" (the column
-- every heartbeat changes) made each of those a non-HOT update: a new entry in every index of the table.
-- Without it, and with free room on each page, a heartbeat is a heap-only tuple update. No query needs
-- the index (the online test depends on each host's own heartbeat interval, so it cannot range-scan).
DROP INDEX IF EXISTS "Host_lastSeenAt_idx";
ALTER TABLE "Host" SET (fillfactor = 70);
-- The report log's slot rows are rewritten in place by each report (ingest no longer moves their id):
-- the same free room makes those heap-only updates too.
ALTER TABLE "Report" SET (fillfactor = 70);
