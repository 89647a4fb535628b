-- Custom migration (drizzle-kit --custom): storing control lists (cts_store_control_lists) and a
-- version per unit for its control lists (control_list_unit_versions).
--
-- Versions.
-- Building a list excludes the files pending on the unit's open lists. Read from the tables, that
-- set costs a scan of every open list's items under the unit's lock, and it grows with the number
-- of open lists; the API instead caches it per unit, labelled with this version, and reuses it
-- while the version is what it expects (services/lists/create-list.ts). Every statement that
-- inserts, updates or deletes lists of a unit, or updates or deletes their items, bumps the
-- unit's version once. Items are only inserted by the statement that inserts their list
-- (cts_store_control_lists below), so a new list bumps its unit exactly once.
CREATE TABLE control_list_unit_versions (
  unit text PRIMARY KEY,
  version bigint NOT NULL
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cts_bump_list_unit_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'control_lists' THEN
    INSERT INTO control_list_unit_versions (unit, version)
    SELECT DISTINCT unit, 1 FROM changed_rows
    ON CONFLICT (unit) DO UPDATE SET version = control_list_unit_versions.version + 1;
  ELSE
    INSERT INTO control_list_unit_versions (unit, version)
    SELECT DISTINCT l.unit, 1 FROM changed_rows c JOIN control_lists l ON l.id = c.list_id
    ON CONFLICT (unit) DO UPDATE SET version = control_list_unit_versions.version + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER control_lists_insert_version AFTER INSERT ON control_lists
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION cts_bump_list_unit_versions();
--> statement-breakpoint
CREATE TRIGGER control_lists_update_version AFTER UPDATE ON control_lists
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION cts_bump_list_unit_versions();
--> statement-breakpoint
CREATE TRIGGER control_lists_delete_version AFTER DELETE ON control_lists
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION cts_bump_list_unit_versions();
--> statement-breakpoint
CREATE TRIGGER control_list_items_update_version AFTER UPDATE ON control_list_items
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION cts_bump_list_unit_versions();
--> statement-breakpoint
CREATE TRIGGER control_list_items_delete_version AFTER DELETE ON control_list_items
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION cts_bump_list_unit_versions();
--> statement-breakpoint
-- Stores control lists, their items and their control_list.create audit events, as one call
-- (services/db/queries/control-lists.ts writeSnapshot). Why a function: the audit append takes the
-- chain's lock, held until commit, and every audited request in the service waits for it. In one
-- plain statement the inserts' deferred work (foreign key checks, the version trigger) would run
-- at its end, after the append, so under the lock; here each statement finishes, triggers
-- included, before the next, the results are computed, and the events are appended last, in one
-- call. (It takes several lists, but the API stores one per call: batching concurrent requests'
-- lists was measured slower, since it also serializes their inserts.)
-- p_lists: [{list: {id, unit, params, runId, modelId, seed, createdBy}, items: [{fileId, position,
-- score, selectedBy, selectionProbability}], event: an element of cts_append_audit_events's
-- array}]; each item's reasons are copied from its score row in the list's run. Returns each
-- list's created_at and its items' reasons in position order. One INSERT per list, so each list
-- bumps its unit's version once.
CREATE OR REPLACE FUNCTION cts_store_control_lists(p_lists jsonb)
RETURNS TABLE (stored_list uuid, stored_at timestamptz, stored_reasons jsonb) LANGUAGE plpgsql AS $$
DECLARE
  entry jsonb;
  v_list uuid;
  v_run uuid;
  v_lists uuid[] := '{}';
BEGIN
  FOR entry IN SELECT value FROM jsonb_array_elements(p_lists) WITH ORDINALITY ORDER BY ordinality LOOP
    v_list := (entry->'list'->>'id')::uuid;
    v_run := (entry->'list'->>'runId')::uuid;
    v_lists := v_lists || v_list;
    INSERT INTO control_lists (id, unit, params, run_id, model_id, seed, created_by)
    VALUES (v_list, entry->'list'->>'unit', entry->'list'->'params', v_run, (entry->'list'->>'modelId')::uuid,
            (entry->'list'->>'seed')::int, entry->'list'->>'createdBy');
    INSERT INTO control_list_items (list_id, file_id, position, score, selected_by, selection_probability, reasons)
    SELECT v_list, p."fileId", p.position, p.score, p."selectedBy", p."selectionProbability",
           -- A probe per item (the run's partition, by file id): a join here may be planned, once
           -- for all calls, as a scan of every partition.
           coalesce((SELECT s.reasons FROM scores s WHERE s.run_id = v_run AND s.file_id = p."fileId"), '[]'::jsonb)
    FROM jsonb_to_recordset(entry->'items')
         AS p("fileId" text, position int, score float8, "selectedBy" text, "selectionProbability" float8);
  END LOOP;
  RETURN QUERY
    SELECT l.id, l.created_at, (SELECT jsonb_agg(i.reasons ORDER BY i.position) FROM control_list_items i WHERE i.list_id = l.id)
    FROM control_lists l WHERE l.id = ANY (v_lists);
  PERFORM cts_append_audit_events(
    (SELECT jsonb_agg(value->'event' ORDER BY ordinality) FROM jsonb_array_elements(p_lists) WITH ORDINALITY));
END $$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    GRANT SELECT, INSERT, UPDATE ON control_list_unit_versions TO cts_app;
    GRANT EXECUTE ON FUNCTION cts_store_control_lists(jsonb) TO cts_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grants to cts_app not made here: %', SQLERRM;
END $$;
