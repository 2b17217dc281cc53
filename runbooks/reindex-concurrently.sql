-- Rebuild one index without blocking writes (PostgreSQL 12 and later).
-- When indexes and tables disagree ("index out of sync"), rebuild the index
-- instead of repairing rows by hand on a live system.
--
-- EDIT: replace public.messages_mailbox_idx with the index to rebuild.
SET lock_timeout = '2s';
SET statement_timeout = '0';

-- Runs outside the transaction: safedb executes it as a separate step and
-- reports it; if it fails, an invalid "_ccnew" index is left to drop by hand.
REINDEX INDEX CONCURRENTLY public.messages_mailbox_idx;
