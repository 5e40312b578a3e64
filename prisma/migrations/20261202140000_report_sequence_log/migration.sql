-- Report becomes a bounded log: one slot per (host, sequence mod 512), so a host never holds more
-- than 512 rows. A resend is recognised by its sequence (same slot, same sequence), a report at
-- least 512 sequences behind the stored one is taken as already superseded. See server/repo/report-log.ts.
ALTER TABLE "Report" ADD COLUMN "slot" INTEGER;
UPDATE "Report" SET "slot" = ("sequence" % 512)::INTEGER;
-- keep the newest row of each slot (older rows of a slot are outside the window anyway)
DELETE FROM "Report" r USING "Report" n
WHERE n."hostId" = r."hostId" AND n."slot" = r."slot"
  AND (n."sequence" > r."sequence" OR (n."sequence" = r."sequence" AND n."id" > r."id"));
ALTER TABLE "Report" ALTER COLUMN "slot" SET NOT NULL;
CREATE UNIQUE INDEX "Report_hostId_slot_key" ON "Report"("hostId", "slot");
DROP INDEX "Report_hostId_idempotencyKey_key";
DROP INDEX "Report_hostId_receivedAt_idx";
