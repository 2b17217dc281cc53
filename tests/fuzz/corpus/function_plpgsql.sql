CREATE OR REPLACE FUNCTION purge_old(days int) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER AS $fn$
DECLARE
  n integer;
BEGIN
  DELETE FROM events WHERE created_at < now() - make_interval(days => days);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
EXCEPTION WHEN others THEN
  RAISE;
END;
$fn$;
