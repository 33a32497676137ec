ALTER TABLE `cases` ADD `case_date` text;--> statement-breakpoint
UPDATE `cases` SET `case_date` = coalesce(json_extract(`doc`, '$.facts.occurredOn'), date(coalesce(json_extract(`doc`, '$.submittedAt'), json_extract(`doc`, '$.createdAt')), '+8 hours'));--> statement-breakpoint
CREATE INDEX `cases_date_idx` ON `cases` (`case_date`);--> statement-breakpoint
CREATE INDEX `message_refs_updated_idx` ON `message_refs` (`updated_at`);--> statement-breakpoint
CREATE INDEX `notices_unacknowledged_idx` ON `notices` (`kind`,`acknowledged_at`);--> statement-breakpoint
CREATE INDEX `notices_unsent_idx` ON `notices` (`sent_at`,`delivered_at`);