CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`key_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`actor_id` text NOT NULL,
	`actor_name` text NOT NULL,
	`actor_role` text NOT NULL,
	`action` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`changes` text NOT NULL,
	`request_id` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	CONSTRAINT "audit_hash_hex" CHECK(length("audit_events"."hash") = 64 AND length("audit_events"."prev_hash") = 64)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_hash_unique` ON `audit_events` (`hash`);--> statement-breakpoint
CREATE INDEX `audit_entity_idx` ON `audit_events` (`entity_type`,`entity_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_actor_idx` ON `audit_events` (`actor_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_action_idx` ON `audit_events` (`action`,`seq`);--> statement-breakpoint
CREATE TABLE `claim_topics` (
	`claim_id` text NOT NULL,
	`topic` text NOT NULL,
	PRIMARY KEY(`topic`, `claim_id`),
	FOREIGN KEY (`claim_id`) REFERENCES `claims`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `claim_topics_claim_idx` ON `claim_topics` (`claim_id`);--> statement-breakpoint
CREATE TABLE `claims` (
	`id` text PRIMARY KEY NOT NULL,
	`text` text NOT NULL,
	`text_key` text NOT NULL,
	`quote` text,
	`speaker_id` text NOT NULL,
	`source_id` text NOT NULL,
	`claimed_at` text NOT NULL,
	`context` text,
	`topics` text NOT NULL,
	`language` text NOT NULL,
	`status` text NOT NULL,
	`review_count` integer DEFAULT 0 NOT NULL,
	`last_reviewed_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`deleted_by` text,
	`delete_reason` text,
	FOREIGN KEY (`speaker_id`) REFERENCES `speakers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `claims_duplicate_idx` ON `claims` (`speaker_id`,`claimed_at`,`text_key`) WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `claims_claimed_at_idx` ON `claims` (`claimed_at`,`id`);--> statement-breakpoint
CREATE INDEX `claims_created_at_idx` ON `claims` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `claims_updated_at_idx` ON `claims` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `claims_status_claimed_at_idx` ON `claims` (`status`,`claimed_at`,`id`);--> statement-breakpoint
CREATE INDEX `claims_speaker_claimed_at_idx` ON `claims` (`speaker_id`,`claimed_at`,`id`);--> statement-breakpoint
CREATE INDEX `claims_source_claimed_at_idx` ON `claims` (`source_id`,`claimed_at`,`id`);--> statement-breakpoint
CREATE INDEX `claims_last_reviewed_idx` ON `claims` (`last_reviewed_at`,`id`);--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`claim_id` text NOT NULL,
	`verdict` text NOT NULL,
	`previous_status` text NOT NULL,
	`note` text NOT NULL,
	`evidence` text NOT NULL,
	`reviewer_id` text NOT NULL,
	`reviewer_name` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`claim_id`) REFERENCES `claims`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reviews_claim_idx` ON `reviews` (`claim_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `reviews_reviewer_idx` ON `reviews` (`reviewer_id`,`claim_id`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`publisher` text,
	`url` text,
	`kind` text NOT NULL,
	`published_at` text,
	`url_key` text,
	`title_key` text NOT NULL,
	`publisher_key` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_url_key_unique` ON `sources` (`url_key`);--> statement-breakpoint
CREATE INDEX `sources_title_idx` ON `sources` (`title_key`,`publisher_key`);--> statement-breakpoint
CREATE INDEX `sources_publisher_idx` ON `sources` (`publisher_key`);--> statement-breakpoint
CREATE TABLE `speaker_names` (
	`name_key` text PRIMARY KEY NOT NULL,
	`speaker_id` text NOT NULL,
	`is_alias` integer NOT NULL,
	FOREIGN KEY (`speaker_id`) REFERENCES `speakers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `speaker_names_speaker_idx` ON `speaker_names` (`speaker_id`);--> statement-breakpoint
CREATE TABLE `speakers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`description` text,
	`aliases` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
