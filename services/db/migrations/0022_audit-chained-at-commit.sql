-- An event recorded inside a state change's transaction is chained when that transaction commits,
-- not when the code asks for it (issue 16, the lists benchmark). Why: the chain has one lock, held
-- from the append to the end of the transaction. Appended by a statement, it was held across the
-- client's next round trip too: the API process had to read the append's answer and send COMMIT,
-- and behind 50 concurrent requests that took longer than the commit itself (cts_append_audit_events
-- waited 94 ms on average at 50 clients, against 50 ms for the same statements sent by a process
-- doing nothing else). Staged here, the event is appended by a deferred trigger during COMMIT, so
-- the lock is held for the append and the commit's flush only, and the chain's order is the
-- commit order. A staged row is deleted by the same trigger: no other transaction ever sees one.
CREATE TABLE audit_staged (
  seq bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
  entry jsonb NOT NULL
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cts_chain_staged_audit_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cts_append_audit_events(jsonb_build_array(NEW.entry));
  DELETE FROM audit_staged WHERE seq = NEW.seq;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Deferred triggers fire at COMMIT in the order their rows were inserted, so a transaction's
-- events keep their order in the chain.
CREATE CONSTRAINT TRIGGER audit_staged_chain AFTER INSERT ON audit_staged
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cts_chain_staged_audit_event();
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    GRANT SELECT, INSERT, DELETE ON audit_staged TO cts_app;
    GRANT EXECUTE ON FUNCTION cts_chain_staged_audit_event() TO cts_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grants to cts_app not made here: %', SQLERRM;
END $$;
