DROP INDEX `backups_status_idx` ON `backups`;--> statement-breakpoint
CREATE INDEX `backups_status_idx` ON `backups` (`status`,`completed_at`);