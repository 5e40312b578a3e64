-- One tuning apply or rollback at a time per host: a second one while the first is pending, claimed or
-- running violates this index (create-tune-job turns that into a CONFLICT naming the running job).
-- Plans and verifies only read, so they are not limited.

-- CreateIndex
CREATE UNIQUE INDEX "Job_one_active_tune_write_per_host" ON "Job"("hostId")
  WHERE "kind" = 'tune' AND "state" IN ('pending', 'claimed', 'running') AND ("params"->>'mode') IN ('apply', 'rollback');
