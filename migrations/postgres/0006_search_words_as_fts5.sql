-- Words split as FTS5's unicode61 tokenizer splits them on the SQLite engine: every run of
-- letters or digits is a word, whatever stands between (PostgreSQL's own parser kept
-- `covid-19`, `3.5`, hosts, e-mail addresses and paths whole, so `covid 19` found nothing).
-- The text is cut into such runs before it is parsed, and every kind of word the parser may
-- still see goes through unaccent. Queries are built from the same runs (src/text.ts).
-- [:alnum:] knows non-ASCII letters under a UTF-8 LC_CTYPE (C.UTF-8, en_US.UTF-8…), which a
-- Claimledger database needs; under plain C, "café" would split at the é.
CREATE FUNCTION claims_search_words(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(coalesce(t, ''), '[^[:alnum:]]+', ' ', 'g')
$$;
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION claimledger
  ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart
  WITH unaccent, simple;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION claims_search_vector(text text, quote text, context text, speaker_id uuid) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('claimledger', claims_search_words(text)), 'A')
    || setweight(to_tsvector('claimledger', claims_search_words(quote)), 'B')
    || setweight(to_tsvector('claimledger', claims_search_words((
      SELECT s.name || ' ' || coalesce((SELECT string_agg(a, ' ') FROM jsonb_array_elements_text(s.aliases) AS a), '')
      FROM speakers s WHERE s.id = speaker_id))), 'C')
    || setweight(to_tsvector('claimledger', claims_search_words(context)), 'D')
$$;
--> statement-breakpoint
UPDATE claims SET search = claims_search_vector(text, quote, context, speaker_id) WHERE deleted_at IS NULL;
