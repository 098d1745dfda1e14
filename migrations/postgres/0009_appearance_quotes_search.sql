-- Matching (src/modules/matching) finds a claim through the quotes of its appearances too:
-- their words, split and folded as a claim's (claims_search_words, the claimledger
-- configuration). Appearances are never updated: a generated column is all it needs.
ALTER TABLE "appearances" ADD COLUMN "search" tsvector
  GENERATED ALWAYS AS (to_tsvector('claimledger', claims_search_words("quote"))) STORED;
--> statement-breakpoint
CREATE INDEX "appearances_search_idx" ON "appearances" USING gin ("search") WHERE "quote" IS NOT NULL;
