-- Human oversight: an officer can suspend the active model (status 'suspended'); list creation
-- then refuses with the reason until a model is approved again or this one is resumed.
ALTER TABLE models ADD COLUMN suspended_at timestamp with time zone;
--> statement-breakpoint
ALTER TABLE models ADD COLUMN suspended_by text;
--> statement-breakpoint
ALTER TABLE models ADD COLUMN suspension_justification text;
