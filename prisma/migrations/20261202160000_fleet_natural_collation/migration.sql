-- The fleet table's sort order in SQL (server/repo/fleet-page.ts), the same as the browser's
-- Intl.Collator("en", { numeric: true, sensitivity: "base" }) in server/domain/hosts/fleet.ts:
-- numeric-aware ("node2" before "node10"), case- and accent-insensitive (ICU primary strength).
-- Nondeterministic, so names equal to the collator compare equal and fall to the id tiebreak.
CREATE COLLATION IF NOT EXISTS "fleet_natural" (provider = icu, locale = 'en-u-kn-true-ks-level1', deterministic = false);

-- The default view (by host name, ascending, no filter) reads its page off this index: no sort of every host.
CREATE INDEX "Host_hostname_natural_id_idx" ON "Host" ("hostname" COLLATE "fleet_natural", "id");
