-- Live claims by status, kept by triggers in the transaction of every write to claims, so a
-- metrics scrape or the stats totals read three rows instead of counting every claim. A claim
-- counts while deleted_at is null. One row per status, zero included, so triggers only update.
INSERT INTO claim_status_counts (status, claims)
SELECT s.status, (SELECT count(*) FROM claims c WHERE c.status = s.status AND c.deleted_at IS NULL)
FROM (VALUES ('unverified'), ('corroborated'), ('disputed')) AS s (status);
--> statement-breakpoint
CREATE FUNCTION claim_status_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
    UPDATE claim_status_counts SET claims = claims - 1 WHERE status = OLD.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
    UPDATE claim_status_counts SET claims = claims + 1 WHERE status = NEW.status;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER claim_status_counts_insert AFTER INSERT ON claims
  FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION claim_status_counts_follow();
--> statement-breakpoint
-- An edit sets status to what it was (PATCH writes every recorded field): the WHEN skips it.
CREATE TRIGGER claim_status_counts_update AFTER UPDATE OF status, deleted_at ON claims
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR (OLD.deleted_at IS NULL) IS DISTINCT FROM (NEW.deleted_at IS NULL))
  EXECUTE FUNCTION claim_status_counts_follow();
--> statement-breakpoint
CREATE TRIGGER claim_status_counts_delete AFTER DELETE ON claims
  FOR EACH ROW WHEN (OLD.deleted_at IS NULL) EXECUTE FUNCTION claim_status_counts_follow();
