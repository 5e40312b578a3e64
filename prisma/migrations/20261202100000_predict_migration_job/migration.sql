-- Pre-flight prediction of a live migration (issue 11): the agent samples the VM's dirty rate
-- (calc-dirty-rate, page-sampling) before the operator confirms the migration.
ALTER TYPE "JobKind" ADD VALUE 'predict_migration';
