-- Full-text search over a claim's text, quote, context and its speaker's name and aliases.
-- Contentless (the text lives in claims; this holds only the index) with contentless_delete
-- so rows can be removed and replaced. Kept in sync by triggers, so an edit, a deletion, a
-- speaker rename or a new alias is searchable in the same transaction that made it.
CREATE VIRTUAL TABLE `claims_fts` USING fts5(
  text, quote, context, speaker,
  content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `claims_fts_insert` AFTER INSERT ON `claims` WHEN NEW.deleted_at IS NULL
BEGIN
  INSERT INTO claims_fts (rowid, text, quote, context, speaker)
  SELECT NEW.rowid, NEW.text, coalesce(NEW.quote, ''), coalesce(NEW.context, ''),
    s.name || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(s.aliases)), '')
  FROM speakers s WHERE s.id = NEW.speaker_id;
END;
--> statement-breakpoint
CREATE TRIGGER `claims_fts_update` AFTER UPDATE OF text, quote, context, speaker_id, deleted_at ON `claims`
BEGIN
  DELETE FROM claims_fts WHERE rowid = OLD.rowid;
  INSERT INTO claims_fts (rowid, text, quote, context, speaker)
  SELECT NEW.rowid, NEW.text, coalesce(NEW.quote, ''), coalesce(NEW.context, ''),
    s.name || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(s.aliases)), '')
  FROM speakers s WHERE s.id = NEW.speaker_id AND NEW.deleted_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `claims_fts_delete` AFTER DELETE ON `claims`
BEGIN
  DELETE FROM claims_fts WHERE rowid = OLD.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `claims_fts_speaker` AFTER UPDATE OF name, aliases ON `speakers`
BEGIN
  INSERT OR REPLACE INTO claims_fts (rowid, text, quote, context, speaker)
  SELECT c.rowid, c.text, coalesce(c.quote, ''), coalesce(c.context, ''),
    NEW.name || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(NEW.aliases)), '')
  FROM claims c WHERE c.speaker_id = NEW.id AND c.deleted_at IS NULL;
END;
--> statement-breakpoint
INSERT INTO claims_fts (rowid, text, quote, context, speaker)
SELECT c.rowid, c.text, coalesce(c.quote, ''), coalesce(c.context, ''),
  s.name || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(s.aliases)), '')
FROM claims c JOIN speakers s ON s.id = c.speaker_id WHERE c.deleted_at IS NULL;
