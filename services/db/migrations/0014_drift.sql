-- Drift (responsible targeting): the training population's reference is kept with the model, each
-- scoring chunk keeps its counts in the reference's bins as it is written, and the run keeps the
-- merged report when it completes (no second pass over the files).
ALTER TABLE models ADD COLUMN drift_reference jsonb;
--> statement-breakpoint
ALTER TABLE scoring_chunks ADD COLUMN drift jsonb;
--> statement-breakpoint
ALTER TABLE scoring_runs ADD COLUMN drift jsonb;
--> statement-breakpoint
-- A finished chunk's drift counts are as immutable as its digest (0010): the run's report is
-- merged from them.
CREATE OR REPLACE FUNCTION cts_refuse_finished_chunk_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.digest IS NOT NULL AND (TG_OP = 'DELETE' OR
     (NEW.run_id, NEW.chunk_no, NEW.first_file_id, NEW.last_file_id, NEW.n, NEW.digest, NEW.drift)
       IS DISTINCT FROM (OLD.run_id, OLD.chunk_no, OLD.first_file_id, OLD.last_file_id, OLD.n, OLD.digest, OLD.drift)) THEN
    RAISE EXCEPTION 'scoring chunk % of run % is finished: % refused', OLD.chunk_no, OLD.run_id, TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
