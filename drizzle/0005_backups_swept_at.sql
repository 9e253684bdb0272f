-- One statement, so the status index is never missing and a failed run leaves nothing half done.
ALTER TABLE `backups` ADD `swept_at` datetime(3), DROP INDEX `backups_status_idx`, ADD INDEX `backups_status_idx` (`status`,`swept_at`,`completed_at`);
