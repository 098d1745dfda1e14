-- As SQLite's 0008: the unique index on the event hash cost every append a write at a random
-- place and guaranteed nothing the chain (seq key, append trigger, hash over seq and prev_hash)
-- does not. No query looks an event up by its hash. Issue 12.
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_hash_unique";
