-- Full-text search over a claim's text, quote, context and its speaker's name and aliases,
-- with FTS5's semantics on the SQLite engine: words as they are written (no stemming, the
-- `simple` dictionary), accents and case folded (unaccent), every word required (the query is
-- built with &), and relevance weighing text highest: A text, B quote, C speaker, D context,
-- ranked with weights {D 0.1, C 0.3, B 0.5, A 1.0} like bm25's 10/5/3/1 there. The vector is
-- a column kept by triggers in the transaction that changes a claim or renames its speaker.
-- unaccent is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION claimledger (COPY = simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION claimledger
  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
--> statement-breakpoint
CREATE FUNCTION claims_search_vector(text text, quote text, context text, speaker_id uuid) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('claimledger', text), 'A')
    || setweight(to_tsvector('claimledger', coalesce(quote, '')), 'B')
    || setweight(to_tsvector('claimledger', coalesce((
      SELECT s.name || ' ' || coalesce((SELECT string_agg(a, ' ') FROM jsonb_array_elements_text(s.aliases) AS a), '')
      FROM speakers s WHERE s.id = speaker_id), '')), 'C')
    || setweight(to_tsvector('claimledger', coalesce(context, '')), 'D')
$$;
--> statement-breakpoint
CREATE FUNCTION claims_search_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search := CASE WHEN NEW.deleted_at IS NULL
    THEN claims_search_vector(NEW.text, NEW.quote, NEW.context, NEW.speaker_id) END;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER claims_search_insert BEFORE INSERT ON claims
  FOR EACH ROW EXECUTE FUNCTION claims_search_follow();
--> statement-breakpoint
CREATE TRIGGER claims_search_update BEFORE UPDATE OF text, quote, context, speaker_id, deleted_at ON claims
  FOR EACH ROW EXECUTE FUNCTION claims_search_follow();
--> statement-breakpoint
CREATE FUNCTION claims_search_speaker() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE claims SET search = claims_search_vector(text, quote, context, speaker_id)
  WHERE speaker_id = NEW.id AND deleted_at IS NULL;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER claims_search_speaker AFTER UPDATE OF name, aliases ON speakers
  FOR EACH ROW EXECUTE FUNCTION claims_search_speaker();
