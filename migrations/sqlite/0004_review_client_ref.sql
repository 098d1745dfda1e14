ALTER TABLE `reviews` ADD `client_ref` text;--> statement-breakpoint
CREATE UNIQUE INDEX `reviews_client_ref_idx` ON `reviews` (`reviewer_id`,`client_ref`) WHERE client_ref IS NOT NULL;