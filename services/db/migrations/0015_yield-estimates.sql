-- Off-policy yield estimates: each estimate a data officer or auditor asks for is kept as produced
-- (with its audit event), append-only like the other trails.
CREATE TABLE yield_estimates (
  id uuid PRIMARY KEY,
  model_id uuid NOT NULL REFERENCES models(id),
  run_id uuid NOT NULL REFERENCES scoring_runs(id),
  capacity double precision NOT NULL,
  estimate jsonb NOT NULL,
  requested_by text NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE INDEX yield_estimates_model_idx ON yield_estimates (model_id, created_at);
--> statement-breakpoint
CREATE TRIGGER yield_estimates_append_only BEFORE UPDATE OR DELETE ON yield_estimates
  FOR EACH ROW EXECUTE FUNCTION cts_refuse_change();
--> statement-breakpoint
CREATE TRIGGER yield_estimates_no_truncate BEFORE TRUNCATE ON yield_estimates
  FOR EACH STATEMENT EXECUTE FUNCTION cts_refuse_change();
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    GRANT SELECT, INSERT ON yield_estimates TO cts_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grants to cts_app not made here: %', SQLERRM;
END $$;
