-- Appends several events to the audit hash chain in one call, in array order (the same chain as
-- cts_append_audit_event of migration 0004, which stays for old clients).
-- Why: every audited request takes the one chain lock in turn. Concurrent reads hand their events
-- to one batch (services/db/queries/audit-events.ts appendAuditEventAlone), so N events cost one lock
-- hold, one statement and one commit instead of N; each request still answers only after its own
-- event is durable. p_events is a JSON array of {at, actor, role, action, target, details,
-- requestId, head, tail}: head and tail are each event's canonical JSON split around its id, so
-- hash = hex(sha256(prev_hash || E'\n' || head || id || tail)), each event chained to the one
-- before it in the array.
CREATE OR REPLACE FUNCTION cts_append_audit_events(p_events jsonb)
RETURNS TABLE (event_id bigint, event_hash text) LANGUAGE plpgsql AS $$
DECLARE
  last_id bigint;
  last_hash text;
  ev jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(7402001);
  SELECT e.id, e.hash INTO last_id, last_hash FROM audit_events e ORDER BY e.id DESC LIMIT 1;
  last_id := coalesce(last_id, 0);
  last_hash := coalesce(last_hash, repeat('0', 64));
  FOR ev IN SELECT value FROM jsonb_array_elements(p_events) WITH ORDINALITY ORDER BY ordinality LOOP
    event_id := last_id + 1;
    event_hash := encode(sha256(convert_to(
      last_hash || E'\n' || (ev->>'head') || event_id::text || (ev->>'tail'), 'UTF8')), 'hex');
    INSERT INTO audit_events (id, at, actor, role, action, target, details, request_id, prev_hash, hash)
    VALUES (event_id, (ev->>'at')::timestamptz, ev->>'actor', ev->>'role', ev->>'action', ev->>'target',
            ev->'details', ev->>'requestId', last_hash, event_hash);
    last_id := event_id;
    last_hash := event_hash;
    RETURN NEXT;
  END LOOP;
END $$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    GRANT EXECUTE ON FUNCTION cts_append_audit_events(jsonb) TO cts_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grant to cts_app not made here: %', SQLERRM;
END $$;
