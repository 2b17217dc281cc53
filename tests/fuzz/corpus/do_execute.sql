DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'tmp' LOOP
    EXECUTE format('DROP TABLE tmp.%I', r.tablename);
  END LOOP;
  EXECUTE 'DELETE FROM audit WHERE at < now()';
  PERFORM pg_sleep(0);
  IF NOT FOUND THEN
    RAISE NOTICE 'nothing';
  END IF;
END
$$;
