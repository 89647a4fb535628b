-- scores: one index per partition instead of two. A partition holds exactly one run, so a unique
-- index on its file_id is the (run_id, file_id) uniqueness, and it also serves the auditor's lookup
-- of every score a file ever got (which the separate file_id index did). Writing 1,000,000 scores
-- maintained two B-trees per row; measured, this is the largest single cost of a scoring run's
-- COPY (docs/ARCHITECTURE.md, Scoring runs). The drizzle schema keeps declaring the old primary key
-- only so that drizzle-kit's snapshot stays as it was; the database is what this file says.
ALTER TABLE scores DROP CONSTRAINT scores_run_id_file_id_pk;
--> statement-breakpoint
DROP INDEX scores_file_idx;
--> statement-breakpoint
DO $$
DECLARE part regclass;
BEGIN
  FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'scores'::regclass LOOP
    EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %s (file_id)', part::text || '_file_id_key', part);
  END LOOP;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cts_create_scores_partition(run uuid) RETURNS text LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = public AS $$
DECLARE part text := 'scores_' || replace(run::text, '-', '');
BEGIN
  IF to_regclass(part) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF scores FOR VALUES IN (%L)', part, run);
    EXECUTE format('CREATE UNIQUE INDEX %I ON %I (file_id)', part || '_file_id_key', part);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION cts_refuse_change()',
      part || '_no_truncate', part);
  END IF;
  RETURN part;
END $$;
