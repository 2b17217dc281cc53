#!/usr/bin/env bash
# The demo of the README: installs what is missing, builds safedb, starts a
# throwaway PostgreSQL cluster, and shows what safedb does with the example
# migrations in examples/migrations/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-deps.sh"
"$root/scripts/build.sh" >/dev/null
safedb="$root/build/safedb"

demo=$(mktemp -d /tmp/safedb-demo.XXXXXX)
chmod 711 "$demo"  # the server runs as the postgres account and must reach $demo/pg
cleanup() { "$root/scripts/pg-scratch.sh" stop "$demo/pg"; rm -rf "$demo"; }
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@" || printf '(exit status %d)\n' "$?"; }

step "A throwaway PostgreSQL cluster for the demo"
pg_env=$("$root/scripts/pg-scratch.sh" start "$demo/pg")
eval "$pg_env"
psql -XAtqc "SELECT 'server ' || version()" | cut -c1-60
cd "$root/examples/migrations"

step "safedb check: what each migration would do, before it runs"
show "$safedb" --version
show "$safedb" check 001_create_messages.sql
show "$safedb" check 002_add_flags.sql
show "$safedb" check 003_quick_cleanup.sql

step "For CI: GitHub annotations, and machine-readable JSON (exit 1 fails the job)"
show "$safedb" check --format github 003_quick_cleanup.sql
"$safedb" check --format json 003_quick_cleanup.sql |
  jq -c '.files[0].statements[] | {line, kind, effects, lock, rules: [.findings[].rule]}' || true

step "Bad input is refused with one line and exit status 2"
printf 'DELET FROM messages;\n' >"$demo/typo.sql"
show "$safedb" check "$demo/typo.sql"

step "A sample database, and safedb set up next to the migrations"
createdb mail
work="$demo/work"
mkdir -p "$work" && cp "$root"/examples/migrations/*.sql "$work/" && cd "$work"
show "$safedb" init --principal demo@example.org
# Demo targets on the throwaway cluster, one per environment; the policies
# `safedb init` wrote decide what each needs.
dsn="host=$PGHOST port=$PGPORT user=postgres dbname=mail"
cat >safedb.json <<JSON
{
  "targets": {
    "mail-dev":     {"dsn": "$dsn", "environment": "development"},
    "mail-staging": {"dsn": "$dsn", "environment": "staging"},
    "mail-prod":    {"dsn": "$dsn", "environment": "production"},
    "mail-change":  {"dsn": "$dsn", "environment": "change-controlled"},
    "mail-ops":     {"dsn": "$dsn", "environment": "operations"}
  },
  "signing": {"key": ".safedb/keys/id_ed25519", "principal": "demo@example.org"}
}
JSON
# A team's own policy for the demo's change-controlled environment: rehearse
# first, and two DBAs approve every destructive or blocking change.
cat >policies/change-controlled.json <<'JSON'
{
  "version": 1,
  "applies_to": {"environments": ["change-controlled"]},
  "rules": [
    {"id": "four-eyes", "when": {"effects": ["data-loss", "blocking", "opaque"]},
     "require": {"dry_run": {"max_age": "1h"},
                 "approvals": {"min": 2, "principals": ["*@dba.example.org"], "exclude": ["requester", "executor"]}}}
  ]
}
JSON
# And for the "operations" environment: whatever a statement destroys is
# snapshotted first, in the same transaction, so that it can be put back.
cat >policies/operations.json <<'JSON'
{
  "version": 1,
  "applies_to": {"environments": ["operations"]},
  "rules": [
    {"id": "snapshot-first", "when": {"effects": ["data-loss"]}, "require": {"snapshot": {"max_size": "1GB"}}}
  ]
}
JSON
show "$safedb" policy lint

step "Create the schema (additive: no policy asks anything)"
show "$safedb" run 001_create_messages.sql --target mail-staging
psql -Xq -d mail -c "INSERT INTO messages (mailbox_id, received_at, subject, body)
  SELECT g % 100, now() - g * interval '1 hour', 'subject ' || g, 'body ' || g FROM generate_series(1, 20000) g;
  INSERT INTO message_attachments SELECT id, 'file-' || id || '.pdf', NULL FROM messages WHERE id % 10 = 0"

step "Staging requires a rehearsal first: the run is blocked until a dry-run of this very file succeeded"
show "$safedb" run 002_add_flags.sql --target mail-staging
show "$safedb" dry-run 002_add_flags.sql --target mail-staging
show "$safedb" run 002_add_flags.sql --target mail-staging

step "A failing migration rolls back completely (development: audited, no gates)"
printf "UPDATE messages SET subject = 'oops' WHERE mailbox_id = 7;\nALTER TABLE messages ADD COLUMN seen boolean;\n" >failing.sql
show "$safedb" run failing.sql --target mail-dev
psql -XAtq -d mail -c "SELECT 'messages with subject oops: ' || count(*) FROM messages WHERE subject = 'oops'"

step "The wrong command on production: every missing requirement at once, nothing executed"
show "$safedb" run 003_quick_cleanup.sql --target mail-prod --yes
psql -XAtq -d mail -c "SELECT 'messages still there: ' || count(*) FROM messages"

step "Backups that count: one snapshot, a content manifest, verified by restoring it and comparing"
show "$safedb" backup create --target mail-prod
show "$safedb" backup verify latest --target mail-prod
show "$safedb" backup list
backup_id=$(ls .safedb/backups | grep -v '^\.' | tail -n 1)
largest=$(ls -S ".safedb/backups/$backup_id/dump/" | grep -v toc.dat | head -n 1)
echo "A damaged dump file is caught (truncated to 100 bytes: $largest):"
truncate -s 100 ".safedb/backups/$backup_id/dump/$largest"
show "$safedb" backup verify "$backup_id" --target mail-prod
echo "The same verdict for scripts and CI:"
show "$safedb" backup verify "$backup_id" --target mail-prod --format json

step "Change control: rehearse, ask, two DBAs approve with their SSH keys, then run"
printf "DELETE FROM messages WHERE mailbox_id = 7 AND received_at < now() - interval '1 year';\n" >purge.sql
show "$safedb" run purge.sql --target mail-change
show "$safedb" dry-run purge.sql --target mail-change
show "$safedb" plan purge.sql --target mail-change --out purge.plan.json
for dba in bob carol; do
  "$safedb" keys generate --out "$dba.key" --principal "$dba@dba.example.org" 2>/dev/null >>.safedb/allowed_signers
done
show "$safedb" approve purge.plan.json --key bob.key --principal bob@dba.example.org
# The second approval with stock OpenSSH:
show ssh-keygen -q -Y sign -n safedb-approval -f carol.key purge.plan.json
show "$safedb" run purge.sql --target mail-change --plan purge.plan.json \
  --approval purge.plan.json.bob@dba.example.org.sig --approval purge.plan.json.sig
echo "Replaying the same approved request is refused:"
show "$safedb" run purge.sql --target mail-change --plan purge.plan.json \
  --approval purge.plan.json.bob@dba.example.org.sig --approval purge.plan.json.sig

step "The wrong command, rehearsed: the dry-run shows what it would destroy"
show "$safedb" dry-run 003_quick_cleanup.sql --target mail-staging

step "The wrong command, undone: DELETE without WHERE (its foreign key deletes the attachments too), then safedb restore puts every row back"
content() {
  psql -XAtq -d mail -c "SELECT count(*) || ' messages, content md5 ' || md5(string_agg(m::text, '|' ORDER BY id)) FROM messages m"
  psql -XAtq -d mail -c "SELECT count(*) || ' attachments, content md5 ' || md5(string_agg(a::text, '|' ORDER BY a::text)) FROM message_attachments a"
}
echo "before:"; content
printf 'DELETE FROM messages;\n' >oops.sql
printf '$ safedb run oops.sql --target mail-ops --yes\n'
"$safedb" run oops.sql --target mail-ops --yes | tee oops.out
run_id=$(awk 'NR == 1 {print $2}' oops.out)
echo "after:  $(psql -XAtq -d mail -c "SELECT (SELECT count(*) FROM messages) || ' messages, ' || (SELECT count(*) FROM message_attachments) || ' attachments'")"
show "$safedb" restore "$run_id" --target mail-ops --in-place --yes
echo "restored:"; content

step "DROP SCHEMA ... CASCADE also drops columns elsewhere whose type lived in it, the views and indexes on them, and the schema's functions: saved, and restored with the type"
# messages also gets a trigger that stamps every changed row, as many tables
# have, a report view on the new column, an index for the spam folder, and
# the schema gets a function that labels a subject.
psql -XAtq -d mail -c "CREATE SCHEMA labels; CREATE TYPE labels.kind AS ENUM ('inbox', 'spam');
  ALTER TABLE messages ADD COLUMN label labels.kind, ADD COLUMN changed_at timestamptz;
  UPDATE messages SET label = CASE WHEN id % 10 = 0 THEN 'spam' ELSE 'inbox' END::labels.kind;
  CREATE FUNCTION stamp_changed() RETURNS trigger LANGUAGE plpgsql
    AS \$\$ BEGIN NEW.changed_at := now(); RETURN NEW; END \$\$;
  CREATE TRIGGER messages_changed BEFORE UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION stamp_changed();
  CREATE VIEW label_counts AS SELECT label, count(*) AS n FROM messages GROUP BY label;
  CREATE INDEX messages_spam ON messages (received_at) WHERE label = 'spam';
  CREATE FUNCTION labels.of(subject text) RETURNS labels.kind LANGUAGE sql IMMUTABLE
    AS \$\$ SELECT CASE WHEN subject ILIKE '%offer%' THEN 'spam' ELSE 'inbox' END::labels.kind \$\$"
labels() { psql -XAtq -d mail -c "SELECT string_agg(label || ': ' || n, ', ' ORDER BY label) || '; rows stamped changed: ' || (SELECT count(changed_at) FROM messages) || '; ' || coalesce((SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_spam'), 'no spam index') || '; labels.of(''cheap offer''): ' || labels.of('cheap offer') FROM label_counts"; }
echo "before: $(labels)"
printf 'DROP SCHEMA labels CASCADE;\n' >drop-labels.sql
printf '$ safedb run drop-labels.sql --target mail-ops --yes\n'
"$safedb" run drop-labels.sql --target mail-ops --yes | tee drop-labels.out
run_id=$(awk 'NR == 1 {print $2}' drop-labels.out)
# Putting the column back updates every row: the trigger would stamp them all
# (safedb says so before it runs); --disable-triggers keeps it off meanwhile.
show "$safedb" restore "$run_id" --target mail-ops --in-place --disable-triggers --yes
echo "restored: $(labels)"

step "Retention gone wrong: this year's partition dropped instead of last year's, then restored and attached again"
psql -XAtq -d mail -c "CREATE TABLE deliveries (message_id bigint, at date NOT NULL, status text) PARTITION BY RANGE (at);
  CREATE TABLE deliveries_2025 PARTITION OF deliveries FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
  CREATE TABLE deliveries_2026 PARTITION OF deliveries FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
  CREATE INDEX deliveries_message ON deliveries (message_id);
  INSERT INTO deliveries SELECT g, date '2025-03-01' + g % 600, 'sent' FROM generate_series(1, 20000) g"
deliveries() { psql -XAtq -d mail -c "SELECT string_agg(c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) || ': ' || (SELECT count(*) FROM deliveries d WHERE d.tableoid = c.oid) || ' rows', '; ' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'deliveries'::regclass"; }
echo "before: $(deliveries)"
printf 'DROP TABLE deliveries_2026;\n' >retention.sql
printf '$ safedb run retention.sql --target mail-ops --yes\n'
"$safedb" run retention.sql --target mail-ops --yes | tee retention.out
run_id=$(awk 'NR == 1 {print $2}' retention.out)
echo "after:  $(deliveries)"
show "$safedb" restore "$run_id" --target mail-ops --in-place --yes
echo "restored: $(deliveries)"

step "The audit log: what happened, signed; verified against allowed_signers"
show "$safedb" audit list
show "$safedb" audit verify

printf '\nThe demo cluster is removed on exit. See README.md and docs/ for more.\n'
