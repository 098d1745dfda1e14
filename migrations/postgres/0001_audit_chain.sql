-- The audit history is append-only and chained, and the database itself enforces it,
-- whatever client writes to it (the SQLite engine's triggers, in PostgreSQL's terms).
--
-- Appends are serialised by one transaction-scoped advisory lock, the same one the
-- application takes before it reads the head to hash the next event, so several API
-- processes can write at once and the chain stays gap-free. It needs READ COMMITTED (the
-- default): under REPEATABLE READ the head read after the lock could be a stale snapshot.
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
-- Only at the head: the next seq, linked to the current head's hash. An INSERT … ON CONFLICT
-- DO UPDATE cannot overwrite an event either: the UPDATE trigger refuses it.
CREATE FUNCTION audit_events_append_at_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('claimledger:audit_events', 0));
  SELECT seq, hash INTO head_seq, head_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
  IF NEW.seq IS DISTINCT FROM coalesce(head_seq, 0) + 1
    OR NEW.prev_hash IS DISTINCT FROM coalesce(head_hash, repeat('0', 64)) THEN
    RAISE EXCEPTION 'audit_events is append-only: an event must extend the chain at its head';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_at_head BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_at_head();
