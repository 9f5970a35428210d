-- Run once on the primary as postgres (docs/deploy.md). Passwords come from your secret store.
CREATE ROLE fangxin LOGIN PASSWORD 'change-me';
CREATE DATABASE fangxin OWNER fangxin ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
-- Read-only role for the replica (the replica is read-only anyway; this also keeps a mistyped URL from writing).
CREATE ROLE fangxin_ro LOGIN PASSWORD 'change-me-too';
\connect fangxin
GRANT USAGE ON SCHEMA public TO fangxin_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE fangxin IN SCHEMA public GRANT SELECT ON TABLES TO fangxin_ro;
-- Streaming replication.
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'change-me-three';
SELECT pg_create_physical_replication_slot('fangxin_replica');
