-- Custom migration: an approval keeps the warnings the verdict guard raised (a model that does not
-- beat logistic regression by more than its interval, too few validation positives) when the data
-- officer overrode them with a justification; null when there was nothing to override.
ALTER TABLE "models" ADD COLUMN IF NOT EXISTS "approval_warnings" jsonb;
