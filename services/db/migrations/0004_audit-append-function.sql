-- Appends one event to the audit hash chain in a single round trip (services/audit/chain.ts holds
-- the canonical encoding; services/db/queries/audit-events.ts calls this).
-- Why a function: the chain lock must be held from reading the last event until the new one
-- commits. Done from the client that is three round trips under the lock (lock, read, insert) and
-- every audited request in the service queues behind them. Inside a plpgsql function each statement
-- takes a fresh snapshot (READ COMMITTED), so the read that follows the lock sees the event the
-- previous holder committed, and the lock is held only for this call and the caller's commit.
-- The client sends the canonical JSON of the event split around its id (which only the database
-- knows): hash = hex(sha256(prev_hash || E'\n' || head || id || tail)).
CREATE OR REPLACE FUNCTION cts_append_audit_event(
  p_at timestamptz, p_actor text, p_role text, p_action text, p_target text, p_details jsonb,
  p_request_id text, p_canonical_head text, p_canonical_tail text
) RETURNS TABLE (event_id bigint, event_hash text) LANGUAGE plpgsql AS $$
DECLARE
  last_id bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(7402001);
  SELECT e.id, e.hash INTO last_id, last_hash FROM audit_events e ORDER BY e.id DESC LIMIT 1;
  event_id := coalesce(last_id, 0) + 1;
  last_hash := coalesce(last_hash, repeat('0', 64));
  event_hash := encode(sha256(convert_to(
    last_hash || E'\n' || p_canonical_head || event_id::text || p_canonical_tail, 'UTF8')), 'hex');
  INSERT INTO audit_events (id, at, actor, role, action, target, details, request_id, prev_hash, hash)
  VALUES (event_id, p_at, p_actor, p_role, p_action, p_target, p_details, p_request_id, last_hash, event_hash);
  RETURN NEXT;
END $$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    GRANT EXECUTE ON FUNCTION cts_append_audit_event(timestamptz, text, text, text, text, jsonb, text, text, text) TO cts_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grant to cts_app not made here: %', SQLERRM;
END $$;
