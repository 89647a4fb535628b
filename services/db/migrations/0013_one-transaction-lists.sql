-- Custom migration (drizzle-kit --custom): a control list is built in one transaction
-- (services/lists/create-list.ts): the unit's advisory lock, the files it may not hold read under
-- it, insert, audit event, commit. What only the earlier design needed goes:
-- - the outcomes change stamp (0003) and the per-unit list versions (0007), which labelled
--   in-process caches of the exclusions so a stale one could be detected, and the store that
--   checked them (0009) or stored lists in one call (0007);
-- - cts_append_audit_event (0004), replaced by cts_append_audit_events (0006) and called by nothing.
-- Kept: the trigger-checked file reference of outcomes (0008). A plain foreign key checks and
-- locks the file row of every inserted outcome, which was most of a million-outcome import's
-- time; the statement-level check gives the same guarantee (see 0008).
DROP TRIGGER IF EXISTS control_lists_insert_version ON control_lists;
--> statement-breakpoint
DROP TRIGGER IF EXISTS control_lists_update_version ON control_lists;
--> statement-breakpoint
DROP TRIGGER IF EXISTS control_lists_delete_version ON control_lists;
--> statement-breakpoint
DROP TRIGGER IF EXISTS control_list_items_update_version ON control_list_items;
--> statement-breakpoint
DROP TRIGGER IF EXISTS control_list_items_delete_version ON control_list_items;
--> statement-breakpoint
DROP FUNCTION IF EXISTS cts_bump_list_unit_versions();
--> statement-breakpoint
DROP TABLE IF EXISTS control_list_unit_versions;
--> statement-breakpoint
DROP FUNCTION IF EXISTS cts_store_control_list_if_current(text, bigint, bigint, jsonb);
--> statement-breakpoint
DROP FUNCTION IF EXISTS cts_store_control_lists(jsonb);
--> statement-breakpoint
DROP TRIGGER IF EXISTS outcomes_change_stamp ON outcomes;
--> statement-breakpoint
DROP FUNCTION IF EXISTS cts_bump_outcomes_stamp();
--> statement-breakpoint
DROP TABLE IF EXISTS outcomes_change_stamp;
--> statement-breakpoint
DROP FUNCTION IF EXISTS cts_append_audit_event(timestamptz, text, text, text, text, jsonb, text, text, text);
--> statement-breakpoint
-- Read under the unit's lock by every list built (services/db/queries/control-lists.ts
-- ineligibleFiles): the unit's open lists, and the files controlled within the exclusion window.
CREATE INDEX IF NOT EXISTS control_lists_open_unit_idx ON control_lists (unit) WHERE status = 'open';
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS outcomes_controlled_idx ON outcomes (controlled_at, file_id);
--> statement-breakpoint
-- Human oversight: an inspector may add a file to a list by hand or skip an item, each with a
-- reason (note). A manual pick has no selection probability (a person chose it; estimates that
-- weight by propensity leave it out) and may have no score (a file the run did not score).
ALTER TABLE control_list_items ALTER COLUMN selection_probability DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE control_list_items ALTER COLUMN score DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE control_list_items ADD COLUMN IF NOT EXISTS note text;
--> statement-breakpoint
ALTER TABLE control_list_items ADD CONSTRAINT control_list_items_selected_by_check
  CHECK (selected_by IN ('model', 'exploration', 'manual')
         AND (selected_by = 'manual') = (selection_probability IS NULL));
--> statement-breakpoint
ALTER TABLE control_list_items ADD CONSTRAINT control_list_items_status_check
  CHECK (status IN ('pending', 'claimed', 'in_progress', 'done', 'skipped'));
