CREATE TABLE "appearances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"claim_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"speaker_id" uuid,
	"appeared_at" text NOT NULL,
	"url" text,
	"quote" text,
	"created_at" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "appearances" ADD CONSTRAINT "appearances_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appearances" ADD CONSTRAINT "appearances_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appearances" ADD CONSTRAINT "appearances_speaker_id_speakers_id_fk" FOREIGN KEY ("speaker_id") REFERENCES "public"."speakers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "appearances_claim_idx" ON "appearances" USING btree ("claim_id","appeared_at","id");--> statement-breakpoint
CREATE INDEX "appearances_source_idx" ON "appearances" USING btree ("source_id");--> statement-breakpoint
CREATE INDEX "appearances_speaker_idx" ON "appearances" USING btree ("speaker_id");