-- impayes_sync 1.0 -> 1.1
\echo Use "ALTER EXTENSION impayes_sync UPDATE TO '1.1'" to load this file. \quit

-- A fresh CREATE EXTENSION installs 1.0 and applies this script, so a new
-- install and an updated one always have the same objects.
