SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (lower(email)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_org_idx ON users USING btree (org_id, id) INCLUDE (email);
DROP INDEX CONCURRENTLY users_old_idx;
REINDEX TABLE users;
