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

printf '\nThe demo cluster is removed on exit. See README.md and docs/ for more.\n'
