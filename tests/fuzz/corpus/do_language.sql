DO LANGUAGE plpgsql $body$ BEGIN UPDATE t SET x = 1; END $body$;
