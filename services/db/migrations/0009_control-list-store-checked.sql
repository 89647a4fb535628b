-- Custom migration (drizzle-kit --custom): store a control list only if its unit's exclusions are
-- still what the list was selected against (cts_store_control_list_if_current).
--
-- Why: building a list took a transaction on its own (BEGIN, the unit's advisory lock, reading the
-- exclusion versions, COMMIT) around the selection and the store: eight round trips per list. The
-- API now serializes the lists of a unit inside its process, selects against the versions its
-- cache is labelled with, and this function checks them under the unit's lock, in the same call
-- that stores the list. Another process's list of the unit, an outcome, a claim or a closed list
-- moves a version, the function stores nothing, and the API reloads the exclusions and selects
-- again (services/lists/create-list.ts). So two lists of a unit still never share a file, whatever
-- process built them.
--
-- The function is VOLATILE, so in READ COMMITTED each of its statements takes a fresh snapshot:
-- the version read after the lock is granted sees every list committed by whoever held it before.
-- The unit's lock is taken before cts_store_control_lists takes the chain's lock, always in that
-- order. Returns the stored rows as cts_store_control_lists does, or no row when a version moved.
CREATE OR REPLACE FUNCTION cts_store_control_list_if_current(
  p_unit text, p_outcomes_stamp bigint, p_lists_version bigint, p_lists jsonb)
RETURNS TABLE (stored_list uuid, stored_at timestamptz, stored_reasons jsonb) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_lists) e WHERE e.value->'list'->>'unit' IS DISTINCT FROM p_unit) THEN
    RAISE EXCEPTION 'cts_store_control_list_if_current: every list must be of unit %', p_unit;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('cts-control-list:' || p_unit));
  IF (SELECT stamp FROM outcomes_change_stamp WHERE id = 1) IS DISTINCT FROM p_outcomes_stamp
     OR coalesce((SELECT version FROM control_list_unit_versions WHERE unit = p_unit), 0) <> p_lists_version THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT * FROM cts_store_control_lists(p_lists);
END $$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    GRANT EXECUTE ON FUNCTION cts_store_control_list_if_current(text, bigint, bigint, jsonb) TO cts_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grants to cts_app not made here: %', SQLERRM;
END $$;
