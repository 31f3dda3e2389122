-- impayes_sync 1.0 -> 1.1
\echo Use "ALTER EXTENSION impayes_sync UPDATE TO '1.1'" to load this file. \quit

-- A fresh CREATE EXTENSION installs 1.0 and applies this script, so a new
-- install and an updated one always have the same objects.

-- Ledger copied from another database (issue 8, item 8): which database
-- wrote the ledger of a class, "system identifier:database oid". A ledger
-- read in another database (CREATE DATABASE ... TEMPLATE, a clone) makes the
-- run a full reconciliation. NULL: written by 1.0, trusted once.
ALTER TABLE impayes_sync.sync_state ADD COLUMN database_identity text;
COMMENT ON COLUMN impayes_sync.sync_state.database_identity IS
'The database that wrote this ledger (pg_control system identifier:database oid); a run in any other database ignores the ledger and reconciles fully.';
