-- Compliance findings stored compactly. Each result stored ≈ 25 KB of findings JSON, most of it the rule texts
-- (title, expected, remediation …) repeated per host, read back and rewritten on every evaluation. The texts
-- now live once per distinct content in "ComplianceRuleSet" (sha256 of the list, taken from the evaluation's
-- own findings, so a profile edit makes a new set and never changes what a stored result shows); a result
-- keeps per rule only its status, message and evidence, plus a status string (what drift needs of the
-- previous result, read without the findings) and a hash of what it stores (an evaluation that found the
-- same rewrites no findings). Existing rows keep their full findings ("ruleSetHash" null): readers take both
-- forms, and a row is rewritten in the new form by its next evaluation that finds something different.
CREATE TABLE "ComplianceRuleSet" (
    "hash" TEXT NOT NULL,
    "rules" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ComplianceRuleSet_pkey" PRIMARY KEY ("hash")
);

ALTER TABLE "ComplianceResult" ADD COLUMN "ruleSetHash" TEXT,
    ADD COLUMN "statuses" TEXT,
    ADD COLUMN "findingsHash" TEXT;

-- RESTRICT: a rule set some result shows cannot go (none is ever deleted today). No index on the column:
-- only a rule set's deletion would look rows up by it.
ALTER TABLE "ComplianceResult" ADD CONSTRAINT "ComplianceResult_ruleSetHash_fkey" FOREIGN KEY ("ruleSetHash") REFERENCES "ComplianceRuleSet"("hash") ON DELETE RESTRICT ON UPDATE CASCADE;

-- An evaluation that found the same rewrites only the row's small columns: room on each page lets that be
-- a heap-only update (no new primary-key entry).
ALTER TABLE "ComplianceResult" SET (fillfactor = 70);
