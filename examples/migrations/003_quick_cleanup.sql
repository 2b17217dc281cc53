-- The "quick" table optimisation that went wrong: meant to remove spam,
-- the WHERE clause got lost in review, and a rewrite was thrown in.
DELETE FROM messages;

VACUUM FULL messages;

DO $$
BEGIN
  -- a cleanup helper someone pasted in
  EXECUTE 'TRUNCATE message_attachments';
  EXECUTE format('DROP TABLE IF EXISTS %I', 'messages_' || to_char(now(), 'YYYY'));
END
$$;
