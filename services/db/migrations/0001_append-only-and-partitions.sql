-- Custom migration (drizzle-kit --custom): what drizzle's schema cannot express.
-- 1. scores and audit_events are append-only in the database itself: a trigger refuses UPDATE,
--    DELETE and TRUNCATE, whoever connects (superusers must disable the trigger on purpose).
-- 2. scores is partitioned by run (LIST on run_id): retention drops a run's partition, never rows.
-- 3. The application role cts_app may only SELECT and INSERT on the two trails.

CREATE OR REPLACE FUNCTION cts_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION cts_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION cts_refuse_change();
--> statement-breakpoint
DROP TABLE scores;
--> statement-breakpoint
CREATE TABLE scores (
  run_id uuid NOT NULL,
  file_id text NOT NULL,
  model_id uuid NOT NULL,
  model_sha256 text NOT NULL,
  score double precision NOT NULL,
  reasons jsonb NOT NULL,
  input_digest text NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT scores_run_id_file_id_pk PRIMARY KEY (run_id, file_id)
) PARTITION BY LIST (run_id);
--> statement-breakpoint
CREATE INDEX scores_file_idx ON scores USING btree (file_id);
--> statement-breakpoint
-- Row triggers on a partitioned table are cloned onto every partition; TRUNCATE triggers are not,
-- so cts_create_scores_partition adds one to each partition it makes.
CREATE TRIGGER scores_append_only BEFORE UPDATE OR DELETE ON scores
  FOR EACH ROW EXECUTE FUNCTION cts_refuse_change();
--> statement-breakpoint
CREATE TRIGGER scores_no_truncate BEFORE TRUNCATE ON scores
  FOR EACH STATEMENT EXECUTE FUNCTION cts_refuse_change();
--> statement-breakpoint
-- One partition per scoring run, named scores_<run id without dashes>. Idempotent.
CREATE OR REPLACE FUNCTION cts_create_scores_partition(run uuid) RETURNS text LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = public AS $$
DECLARE part text := 'scores_' || replace(run::text, '-', '');
BEGIN
  IF to_regclass(part) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF scores FOR VALUES IN (%L)', part, run);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION cts_refuse_change()',
      part || '_no_truncate', part);
  END IF;
  RETURN part;
END $$;
--> statement-breakpoint
-- Retention: a whole run's scores leave together (the caller audits it). Rows are never deleted.
CREATE OR REPLACE FUNCTION cts_drop_scores_partition(run uuid) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE part text := 'scores_' || replace(run::text, '-', '');
BEGIN
  IF to_regclass(part) IS NULL THEN RETURN false; END IF;
  EXECUTE format('ALTER TABLE scores DETACH PARTITION %I', part);
  EXECUTE format('DROP TABLE %I', part);
  RETURN true;
END $$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    CREATE ROLE cts_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN
  RAISE NOTICE 'role cts_app not created here: %', SQLERRM;
END $$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    GRANT SELECT, INSERT ON scores, audit_events TO cts_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON files, outcomes, feature_schemas, models, scoring_runs,
      scoring_chunks, control_lists, control_list_items, api_keys TO cts_app;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO cts_app;
    GRANT EXECUTE ON FUNCTION cts_create_scores_partition(uuid) TO cts_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grants to cts_app not made here: %', SQLERRM;
END $$;
