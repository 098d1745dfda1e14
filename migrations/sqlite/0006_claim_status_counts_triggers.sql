-- Live claims by status, kept by triggers in the transaction of every write to claims, so a
-- metrics scrape or the stats totals read three rows instead of counting every claim. A claim
-- counts while deleted_at is null; any write that changes its status or deletes it (soft or
-- outright) moves it between the counts.
--
-- First the counts as they stand (an existing database keeps its claims): one row per status,
-- zero included, so the triggers below only ever update.
INSERT INTO claim_status_counts (status, claims)
SELECT s.status, (SELECT count(*) FROM claims c WHERE c.status = s.status AND c.deleted_at IS NULL)
FROM (SELECT 'unverified' AS status UNION ALL SELECT 'corroborated' UNION ALL SELECT 'disputed') s;
--> statement-breakpoint
CREATE TRIGGER `claim_status_counts_insert` AFTER INSERT ON `claims` WHEN NEW.deleted_at IS NULL
BEGIN
  UPDATE claim_status_counts SET claims = claims + 1 WHERE status = NEW.status;
END;
--> statement-breakpoint
-- An edit sets status to what it was (PATCH writes every recorded field): the WHEN skips it.
CREATE TRIGGER `claim_status_counts_update` AFTER UPDATE OF status, deleted_at ON `claims`
WHEN OLD.status IS NOT NEW.status OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
  UPDATE claim_status_counts SET claims = claims - 1 WHERE status = OLD.status AND OLD.deleted_at IS NULL;
  UPDATE claim_status_counts SET claims = claims + 1 WHERE status = NEW.status AND NEW.deleted_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `claim_status_counts_delete` AFTER DELETE ON `claims` WHEN OLD.deleted_at IS NULL
BEGIN
  UPDATE claim_status_counts SET claims = claims - 1 WHERE status = OLD.status;
END;
