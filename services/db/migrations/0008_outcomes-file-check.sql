-- The file reference of outcomes, checked once per statement instead of once per row.
-- A FOREIGN KEY checks every inserted outcome with its own query that also locks the file row
-- (FOR KEY SHARE): for 1,000,000 imported outcomes that was most of the import (15 µs a row, and
-- the row locks dirty and WAL-log the pages of files). These triggers keep the same guarantee:
-- 1. After each INSERT or UPDATE statement on outcomes, one query over its new rows refuses
--    (SQLSTATE 23503, foreign_key_violation) any file_id that is not in files.
-- 2. A file that has outcomes cannot be deleted, renamed (its id updated) or truncated. The guard
--    takes SHARE on outcomes first, which waits for any transaction still inserting outcomes, and
--    then looks for them with a fresh snapshot; an inserter that comes later waits for the delete
--    to commit and then its own check no longer finds the file. That reasoning needs READ
--    COMMITTED (a snapshot per statement); under REPEATABLE READ or SERIALIZABLE the inserter locks
--    the files it names FOR KEY SHARE as a foreign key does, and deleting or renaming files is
--    refused outright.
ALTER TABLE "outcomes" DROP CONSTRAINT "outcomes_file_id_files_id_fk";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cts_check_outcome_files() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    PERFORM 1 FROM files f WHERE f.id IN (SELECT n.file_id FROM new_rows n) FOR KEY SHARE OF f;
  END IF;
  SELECT n.file_id INTO missing FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.id = n.file_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "outcomes" violates its file reference: file "%" does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'outcomes', COLUMN = 'file_id';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER outcomes_file_exists_on_insert AFTER INSERT ON outcomes
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cts_check_outcome_files();
--> statement-breakpoint
CREATE TRIGGER outcomes_file_exists_on_update AFTER UPDATE ON outcomes
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cts_check_outcome_files();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cts_keep_referenced_file() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
    RETURN NEW;
  END IF;
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'files are deleted or renamed in READ COMMITTED transactions only (outcomes refer to them)'
      USING ERRCODE = 'feature_not_supported';
  END IF;
  LOCK TABLE outcomes IN SHARE MODE;
  IF EXISTS (SELECT 1 FROM outcomes o WHERE o.file_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "files" violates the file reference of "outcomes": file "%" has outcomes', OLD.id
      USING ERRCODE = 'foreign_key_violation', TABLE = 'files', COLUMN = 'id';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
--> statement-breakpoint
CREATE TRIGGER files_keep_referenced BEFORE DELETE OR UPDATE OF id ON files
  FOR EACH ROW EXECUTE FUNCTION cts_keep_referenced_file();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cts_refuse_truncate_referenced_files() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM outcomes) THEN
    RAISE EXCEPTION 'truncate of table "files" refused: outcomes refer to its files'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'files';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER files_no_truncate_referenced BEFORE TRUNCATE ON files
  FOR EACH STATEMENT EXECUTE FUNCTION cts_refuse_truncate_referenced_files();
