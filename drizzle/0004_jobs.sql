CREATE TABLE `restores` (
	`id` char(36) NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`backup_id` char(36) NOT NULL,
	`status` enum('queued','running','completed','failed','cancelled') NOT NULL DEFAULT 'queued',
	`error_code` varchar(64),
	`safety_backup_id` char(36),
	`restored` json,
	`stage` enum('queued','reading','uploading','downloading','validating','safety_backup','applying','finished') NOT NULL DEFAULT 'queued',
	`progress_done` bigint unsigned NOT NULL DEFAULT 0,
	`progress_total` bigint unsigned NOT NULL DEFAULT 0,
	`progress_unit` enum('rows','bytes') NOT NULL DEFAULT 'rows',
	`error_detail` json,
	`attempts` int NOT NULL DEFAULT 0,
	`worker_id` varchar(128),
	`heartbeat_at` datetime(3),
	`started_at` datetime(3),
	`cancel_requested_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`completed_at` datetime(3),
	CONSTRAINT `restores_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `backups` MODIFY COLUMN `status` enum('queued','running','completed','failed','cancelled','invalid') NOT NULL DEFAULT 'running';--> statement-breakpoint
ALTER TABLE `backups` ADD `stage` enum('queued','reading','uploading','downloading','validating','safety_backup','applying','finished') DEFAULT 'queued' NOT NULL;--> statement-breakpoint
ALTER TABLE `backups` ADD `progress_done` bigint unsigned DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `backups` ADD `progress_total` bigint unsigned DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `backups` ADD `progress_unit` enum('rows','bytes') DEFAULT 'rows' NOT NULL;--> statement-breakpoint
ALTER TABLE `backups` ADD `error_detail` json;--> statement-breakpoint
ALTER TABLE `backups` ADD `attempts` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `backups` ADD `worker_id` varchar(128);--> statement-breakpoint
ALTER TABLE `backups` ADD `heartbeat_at` datetime(3);--> statement-breakpoint
ALTER TABLE `backups` ADD `started_at` datetime(3);--> statement-breakpoint
ALTER TABLE `backups` ADD `cancel_requested_at` datetime(3);--> statement-breakpoint
CREATE INDEX `restores_user_created_idx` ON `restores` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `restores_status_idx` ON `restores` (`status`);--> statement-breakpoint
UPDATE `backups` SET `stage` = 'finished' WHERE `status` <> 'running';