CREATE TABLE `documents` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text,
	`kind` text NOT NULL,
	`number` text,
	`year` integer,
	`seq` integer,
	`edition` integer DEFAULT 1 NOT NULL,
	`file_name` text NOT NULL,
	`file_type` text NOT NULL,
	`data` text NOT NULL,
	`sha256` text NOT NULL,
	`file_key` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `documents_number_idx` ON `documents` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `documents_year_seq_idx` ON `documents` (`year`,`seq`);--> statement-breakpoint
CREATE INDEX `documents_case_idx` ON `documents` (`case_id`,`kind`);