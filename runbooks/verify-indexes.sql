-- Check every B-tree index of a schema against its table, read-only.
-- bt_index_check takes only ACCESS SHARE locks; heapallindexed also checks that
-- every row is in the index. Any corruption is reported as an error.
--
-- EDIT: replace 'public' with the schema to check.
SET lock_timeout = '2s';
SET statement_timeout = '30min';

CREATE EXTENSION IF NOT EXISTS amcheck;

SELECT c.relname AS index_name, bt_index_check(c.oid, true)
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_am a ON a.oid = c.relam
 WHERE n.nspname = 'public' AND a.amname = 'btree' AND i.indisvalid;
