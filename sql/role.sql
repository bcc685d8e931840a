-- pg2convex: least-privilege role {{role_name}} for database {{database_name}}.
-- Run as a superuser (before PostgreSQL 16 only a superuser may grant REPLICATION). Safe to run again.
DO $pg2convex$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {{role_literal}}) THEN
    CREATE ROLE {{role}} LOGIN REPLICATION;
  END IF;
END
$pg2convex$;
ALTER ROLE {{role}} WITH LOGIN REPLICATION;
{{password}}
GRANT CONNECT ON DATABASE {{database}} TO {{role}};
{{schema_grants}}
{{table_grants}}
