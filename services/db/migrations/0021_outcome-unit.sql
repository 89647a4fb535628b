-- Custom migration: a list's exclusions read one unit's recent controls, not every unit's.
-- Before, ineligibleFiles (services/db/queries/control-lists.ts) read every file controlled in the
-- window, whatever its unit (25,000 ids for a 1,000,000-file population), because outcomes did not
-- say which unit a control belonged to and joining them to files read the whole unit; the API then
-- looked up each id in the unit's pool. Now:
-- - each outcome keeps the unit its file was in when the control was recorded (filled by the
--   statements that insert outcomes, checked against files by the statement trigger of 0008);
-- - a file keeps when it last moved to its unit (moved_at, set by the import that moves it), so a
--   list still excludes a file that moved in after a control recorded under its old unit: those
--   are the few files of the unit moved since the window began (files_moved_idx).
ALTER TABLE "files" ADD COLUMN "moved_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "unit" text;
--> statement-breakpoint
UPDATE "outcomes" o SET "unit" = f."unit" FROM "files" f WHERE f."id" = o."file_id";
--> statement-breakpoint
CREATE INDEX "files_moved_idx" ON "files" USING btree ("unit", "moved_at") WHERE "files"."moved_at" is not null;
--> statement-breakpoint
CREATE INDEX "outcomes_unit_controlled_idx" ON "outcomes" USING btree ("unit", "controlled_at", "file_id");
--> statement-breakpoint
DROP INDEX IF EXISTS "outcomes_controlled_idx";
--> statement-breakpoint
-- The file reference check of 0008, which now also holds each outcome's unit to its file's unit at
-- insert (one anti-join over the statement's rows, as before). The unit of an outcome updated
-- later is not checked again: it records where the file was when the control was recorded.
CREATE OR REPLACE FUNCTION cts_check_outcome_files() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    PERFORM 1 FROM files f WHERE f.id IN (SELECT n.file_id FROM new_rows n) FOR KEY SHARE OF f;
  END IF;
  SELECT n.file_id, n.unit AS given, f.unit AS actual, f.id IS NULL AS missing INTO bad
    FROM new_rows n LEFT JOIN files f ON f.id = n.file_id
    WHERE f.id IS NULL OR (TG_OP = 'INSERT' AND n.unit IS DISTINCT FROM f.unit)
    ORDER BY f.id IS NULL DESC LIMIT 1;
  IF FOUND AND bad.missing THEN
    RAISE EXCEPTION 'insert or update on table "outcomes" violates its file reference: file "%" does not exist', bad.file_id
      USING ERRCODE = 'foreign_key_violation', TABLE = 'outcomes', COLUMN = 'file_id';
  ELSIF FOUND THEN
    RAISE EXCEPTION 'outcome of file "%" names unit %, but the file is in unit "%"', bad.file_id, coalesce('"' || bad.given || '"', 'null'), bad.actual
      USING ERRCODE = 'check_violation', TABLE = 'outcomes', COLUMN = 'unit';
  END IF;
  RETURN NULL;
END $$;
