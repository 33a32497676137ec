CREATE TABLE `__new_conversations` (
	`open_id` text NOT NULL,
	`topic` text DEFAULT '' NOT NULL,
	`flow` text NOT NULL,
	`subject_id` text,
	`step` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`card_ref` text,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`open_id`, `topic`)
);
--> statement-breakpoint
INSERT INTO `__new_conversations`("open_id", "topic", "flow", "subject_id", "step", "data", "card_ref", "version", "updated_at") SELECT "open_id", '', "flow", "subject_id", "step", "data", "card_ref", "version", "updated_at" FROM `conversations`;--> statement-breakpoint
DROP TABLE `conversations`;--> statement-breakpoint
ALTER TABLE `__new_conversations` RENAME TO `conversations`;--> statement-breakpoint
-- Completion reports being prepared move out of kv: `correction-completion:<open id>:<case id>`, and the
-- one-per-person `correction-completion:<open id>` of earlier versions where no per-case one exists.
INSERT OR IGNORE INTO `conversations`("open_id", "topic", "flow", "subject_id", "step", "data", "card_ref", "version", "updated_at")
SELECT substr(`key`, 23, instr(substr(`key`, 23), ':') - 1), json_extract(`value`, '$.caseId'), 'completion', json_extract(`value`, '$.caseId'), 'evidence',
  json_object('evidence', json(CASE WHEN json_type(`value`, '$.evidence') = 'array' THEN json_extract(`value`, '$.evidence') ELSE '[]' END)),
  NULL, 1, `updated_at`
FROM `kv` WHERE `key` LIKE 'correction-completion:%' AND instr(substr(`key`, 23), ':') > 0 AND json_valid(`value`) AND json_type(`value`, '$.caseId') = 'text';--> statement-breakpoint
INSERT OR IGNORE INTO `conversations`("open_id", "topic", "flow", "subject_id", "step", "data", "card_ref", "version", "updated_at")
SELECT substr(`key`, 23), json_extract(`value`, '$.caseId'), 'completion', json_extract(`value`, '$.caseId'), 'evidence',
  json_object('evidence', json(CASE WHEN json_type(`value`, '$.evidence') = 'array' THEN json_extract(`value`, '$.evidence') ELSE '[]' END)),
  NULL, 1, `updated_at`
FROM `kv` WHERE `key` LIKE 'correction-completion:%' AND instr(substr(`key`, 23), ':') = 0 AND json_valid(`value`) AND json_type(`value`, '$.caseId') = 'text';--> statement-breakpoint
DELETE FROM `kv` WHERE `key` LIKE 'correction-completion:%';
