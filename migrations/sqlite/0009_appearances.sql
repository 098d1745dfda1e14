CREATE TABLE `appearances` (
	`id` text PRIMARY KEY NOT NULL,
	`claim_id` text NOT NULL,
	`source_id` text NOT NULL,
	`speaker_id` text,
	`appeared_at` text NOT NULL,
	`url` text,
	`quote` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`claim_id`) REFERENCES `claims`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`speaker_id`) REFERENCES `speakers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `appearances_claim_idx` ON `appearances` (`claim_id`,`appeared_at`,`id`);--> statement-breakpoint
CREATE INDEX `appearances_source_idx` ON `appearances` (`source_id`);--> statement-breakpoint
CREATE INDEX `appearances_speaker_idx` ON `appearances` (`speaker_id`);