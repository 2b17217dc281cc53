CREATE TABLE IF NOT EXISTS public.users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name varchar(200),
  created_at timestamptz NOT NULL DEFAULT now(),
  org_id int REFERENCES orgs (id) ON DELETE CASCADE,
  CHECK (email <> '')
);
CREATE UNLOGGED TABLE scratch (LIKE users INCLUDING ALL);
