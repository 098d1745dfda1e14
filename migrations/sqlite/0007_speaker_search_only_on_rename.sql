-- A speaker's claims are re-indexed only when its names change. UPDATE OF fires whenever the
-- columns are in the SET list, and a speaker's update sets every column: editing only its
-- description re-indexed every live claim of that speaker, inside the write transaction.
DROP TRIGGER `claims_fts_speaker`;
--> statement-breakpoint
CREATE TRIGGER `claims_fts_speaker` AFTER UPDATE OF name, aliases ON `speakers`
WHEN OLD.name IS NOT NEW.name OR OLD.aliases IS NOT NEW.aliases
BEGIN
  INSERT OR REPLACE INTO claims_fts (rowid, text, quote, context, speaker)
  SELECT c.rowid, c.text, coalesce(c.quote, ''), coalesce(c.context, ''),
    NEW.name || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(NEW.aliases)), '')
  FROM claims c WHERE c.speaker_id = NEW.id AND c.deleted_at IS NULL;
END;
