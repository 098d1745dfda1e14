-- Every process caches active API keys; a key revoked (or created) by one process must stop
-- (or start) working in every other within a second. Each change to api_keys notifies
-- 'claimledger_api_keys' on commit, and each process's engine listens (src/db/postgres/engine.ts):
-- the equivalent of SQLite's data_version, which changes when another connection commits.
CREATE FUNCTION api_keys_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('claimledger_api_keys', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER api_keys_notify AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION api_keys_notify();
