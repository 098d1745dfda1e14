CREATE TABLE `claim_status_counts` (
	`status` text PRIMARY KEY NOT NULL,
	`claims` integer NOT NULL
);
