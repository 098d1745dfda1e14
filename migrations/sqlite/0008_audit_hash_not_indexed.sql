-- The unique index on the event hash made every append write one more page at a random place
-- (a SHA-256 has no order), and guaranteed nothing the chain does not: seq is the key and runs
-- without gaps, and each hash covers its seq and the previous hash (the append trigger checks
-- both), so two events cannot share one. No query looks an event up by its hash. Issue 12.
DROP INDEX `audit_events_hash_unique`;
