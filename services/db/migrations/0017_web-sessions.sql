-- Web app sessions (issue 12): an API key typed once into the sign-in form becomes a server-side
-- session. Only the SHA-256 of the session id is stored (like api_keys.sha256), so a read of this
-- table gives no usable cookie. The key is re-checked on every request (revoked key = no session).
CREATE TABLE web_sessions (
  id_sha256 text PRIMARY KEY,
  key_id uuid NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  expires_at timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX web_sessions_expires_at_idx ON web_sessions (expires_at);
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cts_app') THEN
    GRANT SELECT, INSERT, DELETE ON web_sessions TO cts_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grants to cts_app not made here: %', SQLERRM;
END $$;
