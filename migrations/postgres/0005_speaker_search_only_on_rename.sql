-- A speaker's claims are re-indexed only when its names change. UPDATE OF fires whenever the
-- columns are in the SET list, and a speaker's update sets every column: editing only its
-- description re-indexed every live claim of that speaker, under the write lock.
DROP TRIGGER claims_search_speaker ON speakers;
--> statement-breakpoint
CREATE TRIGGER claims_search_speaker AFTER UPDATE OF name, aliases ON speakers
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.aliases IS DISTINCT FROM NEW.aliases)
  EXECUTE FUNCTION claims_search_speaker();
