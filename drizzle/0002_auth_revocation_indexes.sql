CREATE INDEX `refresh_tokens_family_revoked_idx` ON `refresh_tokens` (`family_id`,`revoked_at`);--> statement-breakpoint
DROP INDEX `refresh_tokens_family_idx` ON `refresh_tokens`;--> statement-breakpoint
CREATE INDEX `rate_limits_expire_idx` ON `rate_limits` (`expire`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_expires_idx` ON `refresh_tokens` (`expires_at`);
