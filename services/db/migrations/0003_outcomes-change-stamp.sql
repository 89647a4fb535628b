-- Custom migration (drizzle-kit --custom): a change stamp for the outcomes table.
-- Building a control list excludes the unit's files controlled within the exclusion window; that
-- set costs a scan of the unit's files, so the API caches it per (unit, window start) and reuses
-- it while this stamp is unchanged. Every statement that inserts, updates or deletes outcomes
-- bumps the stamp (one row update per statement, so a bulk import costs one bump per batch).
-- Read in the same transaction as the set, the stamp is never newer than the set it labels.
CREATE TABLE outcomes_change_stamp (
  id smallint PRIMARY KEY CHECK (id = 1),
  stamp bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO outcomes_change_stamp (id, stamp) VALUES (1, 0);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cts_bump_outcomes_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE outcomes_change_stamp SET stamp = stamp + 1 WHERE id = 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER outcomes_change_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON outcomes
  FOR EACH STATEMENT EXECUTE FUNCTION cts_bump_outcomes_stamp();
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    GRANT SELECT, UPDATE ON outcomes_change_stamp TO cts_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grants to cts_app not made here: %', SQLERRM;
END $$;
