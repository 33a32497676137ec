CREATE INDEX `cases_status_due_idx` ON `cases` (`status`,`decision_due_on`);--> statement-breakpoint
CREATE INDEX `correction_orders_due_idx` ON `correction_orders` (`status`,`deadline`);