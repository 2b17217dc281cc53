-- safedb:ignore unbounded-delete the table is a scratch table
DELETE FROM scratch;
UPDATE t SET a = 1; -- safedb:ignore unbounded-update,unknown-rule backfill
/* safedb:ignore */
DROP TABLE old;
-- safedb:ignore unbounded-delete
DELETE FROM x;
