-- Adding columns to a table that already holds users' mail.
SET lock_timeout = '2s';
SET statement_timeout = '5min';

-- Safe: a constant default needs no rewrite.
ALTER TABLE messages ADD COLUMN seen boolean NOT NULL DEFAULT false;

-- Risky: builds an index while writes to the table wait.
CREATE INDEX messages_seen_idx ON messages (seen);

-- Fixing old rows: bounded, but it overwrites values.
UPDATE messages SET seen = true WHERE received_at < now() - interval '1 year';
