CREATE TABLE `audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text NOT NULL,
	`before` text,
	`after` text
);
--> statement-breakpoint
CREATE INDEX `audit_subject_idx` ON `audit` (`subject`,`id`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text,
	`year` integer,
	`seq` integer,
	`origin` text NOT NULL,
	`subject_open_id` text NOT NULL,
	`status` text NOT NULL,
	`unit_id` text,
	`error_category` text,
	`enforcement_area` text,
	`decision_due_on` text,
	`doc` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_number_idx` ON `cases` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `cases_year_seq_idx` ON `cases` (`year`,`seq`);--> statement-breakpoint
CREATE INDEX `cases_subject_idx` ON `cases` (`subject_open_id`,`status`);--> statement-breakpoint
CREATE INDEX `cases_status_idx` ON `cases` (`status`);--> statement-breakpoint
CREATE TABLE `chat_bindings` (
	`chat_id` text NOT NULL,
	`kind` text NOT NULL,
	`unit_id` text DEFAULT '' NOT NULL,
	`bound_by` text NOT NULL,
	`bound_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `unit_id`)
);
--> statement-breakpoint
CREATE INDEX `chat_bindings_chat_idx` ON `chat_bindings` (`chat_id`);--> statement-breakpoint
CREATE TABLE `commit_guard` (
	`id` integer PRIMARY KEY NOT NULL,
	`ok` integer NOT NULL,
	CONSTRAINT "commit_guard_ok" CHECK("commit_guard"."ok" > 0)
);
--> statement-breakpoint
CREATE TABLE `conversations` (
	`open_id` text PRIMARY KEY NOT NULL,
	`flow` text NOT NULL,
	`subject_id` text,
	`step` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`card_ref` text,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `correction_items` (
	`case_id` text NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	PRIMARY KEY(`case_id`, `position`)
);
--> statement-breakpoint
CREATE TABLE `correction_orders` (
	`case_id` text PRIMARY KEY NOT NULL,
	`responsible_open_id` text NOT NULL,
	`unit_id` text,
	`deadline` text NOT NULL,
	`status` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `determinations` (
	`case_id` text PRIMARY KEY NOT NULL,
	`outcome` text NOT NULL,
	`basis` text,
	`cited_items` text NOT NULL,
	`not_error_record` integer NOT NULL,
	`publication_scope` text NOT NULL,
	`correction_required` integer NOT NULL,
	`issued_by` text NOT NULL,
	`issued_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `extensions` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`new_deadline` text NOT NULL,
	`status` text NOT NULL,
	`requested_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `extensions_case_idx` ON `extensions` (`case_id`);--> statement-breakpoint
CREATE TABLE `inbox` (
	`event_id` text PRIMARY KEY NOT NULL,
	`event_type` text NOT NULL,
	`source` text NOT NULL,
	`payload` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`outcome` text,
	`received_at` integer NOT NULL,
	`handled_at` integer
);
--> statement-breakpoint
CREATE INDEX `inbox_status_idx` ON `inbox` (`status`,`received_at`);--> statement-breakpoint
CREATE TABLE `kv` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`expires_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `message_refs` (
	`ref` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notices` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`kind` text NOT NULL,
	`target` text NOT NULL,
	`due_on` text NOT NULL,
	`sent_at` text,
	`delivered_at` text,
	`acknowledged_at` text,
	`escalated_at` text
);
--> statement-breakpoint
CREATE INDEX `notices_case_idx` ON `notices` (`case_id`);--> statement-breakpoint
CREATE INDEX `notices_due_idx` ON `notices` (`due_on`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`uuid` text NOT NULL,
	`op` text NOT NULL,
	`receive_id_type` text,
	`receive_id` text,
	`target_message_id` text,
	`ref` text,
	`target_ref` text,
	`msg_type` text,
	`content` text,
	`urgent_users` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`message_id` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_uuid_idx` ON `outbox` (`uuid`);--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `report_accused` (
	`report_id` text NOT NULL,
	`open_id` text NOT NULL,
	PRIMARY KEY(`report_id`, `open_id`)
);
--> statement-breakpoint
CREATE INDEX `report_accused_open_idx` ON `report_accused` (`open_id`);--> statement-breakpoint
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`year` integer NOT NULL,
	`seq` integer NOT NULL,
	`status` text NOT NULL,
	`real_name` integer NOT NULL,
	`query_code_hash` text,
	`doc` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reports_number_idx` ON `reports` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `reports_year_seq_idx` ON `reports` (`year`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `reports_query_idx` ON `reports` (`query_code_hash`);--> statement-breakpoint
CREATE TABLE `roster` (
	`open_id` text NOT NULL,
	`role` text NOT NULL,
	`name` text,
	`added_by` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`open_id`, `role`)
);
--> statement-breakpoint
CREATE TABLE `votes` (
	`case_id` text NOT NULL,
	`round` integer NOT NULL,
	`voter_open_id` text NOT NULL,
	`option` text NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`case_id`, `round`, `voter_open_id`)
);
