INSERT INTO archive.events (id, payload)
SELECT id, payload FROM events WHERE created_at < now() - interval '90 days'
ON CONFLICT (id) DO NOTHING;
TRUNCATE events_tmp;
