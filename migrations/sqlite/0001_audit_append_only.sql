-- The audit history is append-only and chained, and the database itself enforces it,
-- whatever code runs against the file.
-- No UPDATE, no DELETE:
CREATE TRIGGER `audit_events_no_update` BEFORE UPDATE ON `audit_events`
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE is not allowed');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_no_delete` BEFORE DELETE ON `audit_events`
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only: DELETE is not allowed');
END;
--> statement-breakpoint
-- Only at the head: the next seq, linked to the current head's hash. This also stops
-- INSERT OR REPLACE from overwriting an event (REPLACE skips delete triggers).
CREATE TRIGGER `audit_events_append_at_head` BEFORE INSERT ON `audit_events`
WHEN NEW.seq IS NOT coalesce((SELECT max(seq) FROM audit_events), 0) + 1
  OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1), '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only: an event must extend the chain at its head');
END;
