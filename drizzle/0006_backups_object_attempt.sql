-- Every backup completed so far wrote the key without an attempt and left nothing else to sweep:
-- marked swept, so the sweep's index range holds only the rows it still has to visit. First, and
-- idempotent, so a run that fails at the ALTER can simply run again.
UPDATE `backups` SET `swept_at` = `completed_at` WHERE `status` IN ('completed', 'invalid') AND `swept_at` IS NULL;--> statement-breakpoint
-- Which attempt's object a completed backup is (NULL: the key without an attempt).
ALTER TABLE `backups` ADD `object_attempt` int;
