-- One statement (the index inline), so a failed run leaves nothing half done.
CREATE TABLE `deleted_backup_keys` (
	`backup_id` char(36) NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`attempts` int NOT NULL,
	`due_at` datetime(3) NOT NULL,
	CONSTRAINT `deleted_backup_keys_backup_id` PRIMARY KEY(`backup_id`),
	INDEX `deleted_backup_keys_due_idx` (`due_at`)
);
