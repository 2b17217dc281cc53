DO $$ BEGIN bogus; END $$;
