-- Matching (src/modules/matching): how many claims hold each indexed word, read to search with
-- the statement's rarer words only (the cost of a candidate search grows with the claims its
-- words are in), and the words of appearances' quotes, so that a statement matches a claim
-- through any place it was repeated. Appearances are never updated or deleted: an insert
-- trigger is all the index needs. A claim's deletion hides its appearances from matching
-- (candidates are live claims only).
CREATE VIRTUAL TABLE `claims_fts_terms` USING fts5vocab(`claims_fts`, 'row');
--> statement-breakpoint
CREATE VIRTUAL TABLE `appearances_fts` USING fts5(
  quote,
  content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `appearances_fts_insert` AFTER INSERT ON `appearances` WHEN NEW.quote IS NOT NULL
BEGIN
  INSERT INTO appearances_fts (rowid, quote) VALUES (NEW.rowid, NEW.quote);
END;
--> statement-breakpoint
INSERT INTO appearances_fts (rowid, quote) SELECT rowid, quote FROM appearances WHERE quote IS NOT NULL;
