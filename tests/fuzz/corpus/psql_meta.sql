\set ON_ERROR_STOP on
BEGIN;
\i other.sql
SELECT 1 \gset
\copy t FROM 'x.csv' CSV
COMMIT;
