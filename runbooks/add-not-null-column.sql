-- Add a NOT NULL column to a large table without rewriting it.
-- A constant default is stored in the catalog (PostgreSQL 11+), so the table
-- is not rewritten and the ACCESS EXCLUSIVE lock is held only for a moment.
--
-- EDIT: table, column, type and default.
SET lock_timeout = '2s';
SET statement_timeout = '1min';

ALTER TABLE public.messages ADD COLUMN archived boolean NOT NULL DEFAULT false;
