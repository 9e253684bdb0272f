ALTER TABLE `backups` MODIFY COLUMN `status` enum('running','completed','failed','invalid') NOT NULL DEFAULT 'running';--> statement-breakpoint
ALTER TABLE `backups` ADD `note` varchar(140);--> statement-breakpoint
ALTER TABLE `backups` ADD `restore_of` char(36);--> statement-breakpoint
ALTER TABLE `backups` ADD `restored_at` datetime(3);