-- Custom migration: what the audit trail must hold against the application's own role.
-- 1. A finished scoring chunk (digest set) is immutable: its digest, count and range can no longer
--    be rewritten, and it cannot be deleted. Re-deliveries of a chunk job never update it (they
--    find the digest set and stop), so nothing legitimate is refused.
-- 2. A completed scoring run is immutable but for `progress` (retention records there when the
--    run's scores were dropped); it cannot be deleted.
-- 3. Grants for cts_app on every table and function the service uses, including those added after
--    0001; never UPDATE, DELETE or TRUNCATE on the trails, never TRUNCATE anywhere. The role that
--    runs the migrations owns the tables: the application's login role must not be that role
--    (see DATABASE_MIGRATION_URL), so it cannot drop or disable the append-only triggers.

CREATE OR REPLACE FUNCTION cts_refuse_finished_chunk_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.digest IS NOT NULL AND (TG_OP = 'DELETE' OR
     (NEW.run_id, NEW.chunk_no, NEW.first_file_id, NEW.last_file_id, NEW.n, NEW.digest)
       IS DISTINCT FROM (OLD.run_id, OLD.chunk_no, OLD.first_file_id, OLD.last_file_id, OLD.n, OLD.digest)) THEN
    RAISE EXCEPTION 'scoring chunk % of run % is finished: % refused', OLD.chunk_no, OLD.run_id, TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
--> statement-breakpoint
CREATE TRIGGER scoring_chunks_finished_immutable BEFORE UPDATE OR DELETE ON scoring_chunks
  FOR EACH ROW EXECUTE FUNCTION cts_refuse_finished_chunk_change();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cts_refuse_completed_run_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'completed' AND (TG_OP = 'DELETE' OR
     (to_jsonb(NEW) - 'progress') IS DISTINCT FROM (to_jsonb(OLD) - 'progress')) THEN
    RAISE EXCEPTION 'scoring run % is completed: % refused', OLD.id, TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
--> statement-breakpoint
CREATE TRIGGER scoring_runs_completed_immutable BEFORE UPDATE OR DELETE ON scoring_runs
  FOR EACH ROW EXECUTE FUNCTION cts_refuse_completed_run_change();
--> statement-breakpoint
CREATE TRIGGER scoring_chunks_no_truncate BEFORE TRUNCATE ON scoring_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION cts_refuse_change();
--> statement-breakpoint
CREATE TRIGGER scoring_runs_no_truncate BEFORE TRUNCATE ON scoring_runs
  FOR EACH STATEMENT EXECUTE FUNCTION cts_refuse_change();
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cts_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON scores, audit_events FROM cts_app;
    REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM cts_app;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO cts_app;
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO cts_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grants to cts_app not made here: %', SQLERRM;
END $$;
--> statement-breakpoint
-- Retention runs as the application role, which does not own scores: the function does, and it
-- can only detach and drop one run's whole partition (the caller audits it).
ALTER FUNCTION cts_drop_scores_partition(uuid) SECURITY DEFINER SET search_path = public;
