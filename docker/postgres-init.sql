-- Runs once, when the compose Postgres volume is created (docker-entrypoint-initdb.d).
-- The service logs in as cts_service, which is only granted cts_app: it owns no table, so it
-- cannot drop or disable the audit trail's append-only triggers. The migrations run as the owner
-- (cts, DATABASE_MIGRATION_URL) and grant cts_app what the service needs.
CREATE ROLE cts_app NOLOGIN;
CREATE ROLE cts_service LOGIN PASSWORD 'cts_service' IN ROLE cts_app;
