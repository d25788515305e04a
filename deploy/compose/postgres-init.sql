-- PostgreSQL bootstrap for docker-compose.yml: the application role and one database per
-- service. The postgres image runs this once, as the superuser, on the first start of an
-- empty data volume (/docker-entrypoint-initdb.d); later starts skip it.
--
-- The role's password is read from the container's LTCI_DB_PASSWORD environment variable
-- (psql 15 \getenv), the same value the services put in their DATABASE_URL. Use a URL-safe
-- value (e.g. `openssl rand -hex 24`). If it is unset the script stops with an error.

\set ON_ERROR_STOP on
\getenv ltci_db_password LTCI_DB_PASSWORD

CREATE ROLE ltci LOGIN PASSWORD :'ltci_db_password';

CREATE DATABASE ltci_enrollment OWNER ltci;
CREATE DATABASE ltci_assessment OWNER ltci;
CREATE DATABASE ltci_care_delivery OWNER ltci;
CREATE DATABASE ltci_settlement OWNER ltci;
CREATE DATABASE ltci_gateway OWNER ltci;

-- Only the owner (and superusers) may connect; the owner owns the public schema's
-- CREATE right through pg_database_owner (PostgreSQL 15 default).
REVOKE ALL ON DATABASE ltci_enrollment FROM PUBLIC;
REVOKE ALL ON DATABASE ltci_assessment FROM PUBLIC;
REVOKE ALL ON DATABASE ltci_care_delivery FROM PUBLIC;
REVOKE ALL ON DATABASE ltci_settlement FROM PUBLIC;
REVOKE ALL ON DATABASE ltci_gateway FROM PUBLIC;
