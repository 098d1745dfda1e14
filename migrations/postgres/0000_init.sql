CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" text NOT NULL,
	"revoked_at" text,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_name" text NOT NULL,
	"actor_role" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"changes" text NOT NULL,
	"request_id" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_events_hash_unique" UNIQUE("hash"),
	CONSTRAINT "audit_hash_hex" CHECK (length("audit_events"."hash") = 64 AND length("audit_events"."prev_hash") = 64)
);
--> statement-breakpoint
CREATE TABLE "claim_status_counts" (
	"status" text PRIMARY KEY NOT NULL,
	"claims" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "claim_topics" (
	"claim_id" uuid NOT NULL,
	"topic" text NOT NULL,
	CONSTRAINT "claim_topics_topic_claim_id_pk" PRIMARY KEY("topic","claim_id")
);
--> statement-breakpoint
CREATE TABLE "claims" (
	"id" uuid PRIMARY KEY NOT NULL,
	"text" text NOT NULL,
	"text_key" text NOT NULL,
	"quote" text,
	"speaker_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"claimed_at" text NOT NULL,
	"context" text,
	"topics" jsonb NOT NULL,
	"language" text NOT NULL,
	"status" text NOT NULL,
	"review_count" integer DEFAULT 0 NOT NULL,
	"last_reviewed_at" text,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"deleted_at" text,
	"deleted_by" jsonb,
	"delete_reason" text,
	"search" "tsvector"
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"actor_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer NOT NULL,
	"response" text NOT NULL,
	"created_at" text NOT NULL,
	"expires_at" text NOT NULL,
	CONSTRAINT "idempotency_keys_actor_id_key_pk" PRIMARY KEY("actor_id","key")
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" uuid PRIMARY KEY NOT NULL,
	"claim_id" uuid NOT NULL,
	"verdict" text NOT NULL,
	"previous_status" text NOT NULL,
	"note" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"reviewer_id" text NOT NULL,
	"reviewer_name" text NOT NULL,
	"created_at" text NOT NULL,
	"client_ref" text
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"publisher" text,
	"url" text,
	"kind" text NOT NULL,
	"published_at" text,
	"url_key" text,
	"title_key" text NOT NULL,
	"publisher_key" text,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "sources_url_key_unique" UNIQUE("url_key")
);
--> statement-breakpoint
CREATE TABLE "speaker_names" (
	"name_key" text PRIMARY KEY NOT NULL,
	"speaker_id" uuid NOT NULL,
	"is_alias" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "speakers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"description" text,
	"aliases" jsonb NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "claim_topics" ADD CONSTRAINT "claim_topics_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_speaker_id_speakers_id_fk" FOREIGN KEY ("speaker_id") REFERENCES "public"."speakers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speaker_names" ADD CONSTRAINT "speaker_names_speaker_id_speakers_id_fk" FOREIGN KEY ("speaker_id") REFERENCES "public"."speakers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_entity_idx" ON "audit_events" USING btree ("entity_type","entity_id","seq");--> statement-breakpoint
CREATE INDEX "audit_actor_idx" ON "audit_events" USING btree ("actor_id","seq");--> statement-breakpoint
CREATE INDEX "audit_action_idx" ON "audit_events" USING btree ("action","seq");--> statement-breakpoint
CREATE INDEX "claim_topics_claim_idx" ON "claim_topics" USING btree ("claim_id");--> statement-breakpoint
CREATE UNIQUE INDEX "claims_duplicate_idx" ON "claims" USING btree ("speaker_id","claimed_at","text_key") WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX "claims_claimed_at_idx" ON "claims" USING btree ("claimed_at","id");--> statement-breakpoint
CREATE INDEX "claims_created_at_idx" ON "claims" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "claims_updated_at_idx" ON "claims" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "claims_status_claimed_at_idx" ON "claims" USING btree ("status","claimed_at","id");--> statement-breakpoint
CREATE INDEX "claims_speaker_claimed_at_idx" ON "claims" USING btree ("speaker_id","claimed_at","id");--> statement-breakpoint
CREATE INDEX "claims_source_claimed_at_idx" ON "claims" USING btree ("source_id","claimed_at","id");--> statement-breakpoint
CREATE INDEX "claims_last_reviewed_idx" ON "claims" USING btree ("last_reviewed_at","id");--> statement-breakpoint
CREATE INDEX "claims_search_idx" ON "claims" USING gin ("search");--> statement-breakpoint
CREATE INDEX "idempotency_expires_idx" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "reviews_claim_idx" ON "reviews" USING btree ("claim_id","created_at","id");--> statement-breakpoint
CREATE INDEX "reviews_reviewer_idx" ON "reviews" USING btree ("reviewer_id","claim_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_client_ref_idx" ON "reviews" USING btree ("reviewer_id","client_ref") WHERE client_ref IS NOT NULL;--> statement-breakpoint
CREATE INDEX "sources_title_idx" ON "sources" USING btree ("title_key","publisher_key");--> statement-breakpoint
CREATE INDEX "sources_publisher_idx" ON "sources" USING btree ("publisher_key");--> statement-breakpoint
CREATE INDEX "speaker_names_speaker_idx" ON "speaker_names" USING btree ("speaker_id");