#!/usr/bin/env bash
# A snapshotted DELETE against the same DELETE without a snapshot, both run
# by safedb on a throwaway PostgreSQL (goal: at most 2x).
#
#   bash bench/snapshot_delete.sh
#
# Each repetition restores the same 100,000-row table from a template
# database, then times `safedb run delete.sql` once under a policy that asks
# for a snapshot of data-loss statements and once under no policy. The same
# rounds time the floor of any snapshot taken with COPY: psql running the
# DELETE alone, psql running the snapshot's own lock and COPY (into
# /dev/null: nothing hashed, nothing written) before the same DELETE, and the
# same COPY on a second psql session that imported the first one's snapshot
# while the DELETE runs (as safedb reads alongside; the second psql's start
# is included). Prints a Markdown table of the medians and the ratios.
#
# Environment: REPS=7, ROWS=100000, BUILD_DIR=build-bench.
# Raw samples are kept in bench/out/snapshot_delete/.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/out/snapshot_delete"
build=${BUILD_DIR:-$root/build-bench}
REPS=${REPS:-7}
ROWS=${ROWS:-100000}

rm -rf "$out"
mkdir -p "$out"
. "$root/bench/lib.sh"

bench_build safedb
safedb="$build/safedb"
bindir=${SAFEDB_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
psql="$bindir/psql"
bench_cluster
q() { "$psql" -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

q postgres "CREATE DATABASE tpl"
q tpl "CREATE TABLE messages (id bigint PRIMARY KEY, mailbox int NOT NULL, received timestamptz
         NOT NULL, subject text, body text);
       INSERT INTO messages SELECT g, g % 100, '2026-01-01'::timestamptz + g * interval '1 minute',
         'subject ' || g, repeat('body text ', 20) FROM generate_series(1, $ROWS) g"
q tpl "VACUUM ANALYZE messages"
size=$(q tpl "SELECT pg_size_pretty(pg_table_size('messages'))")

ws="$work/ws"
mkdir -p "$ws/.safedb" "$ws/none" "$ws/snap"
cd "$ws"
"$safedb" keys generate --out .safedb/id_ed25519 --principal bench@example.org \
  >.safedb/allowed_signers 2>/dev/null
cat >safedb.json <<'JSON'
{
  "targets": {"bench": {"dsn": "dbname=bench", "environment": "development"}},
  "signing": {"key": ".safedb/id_ed25519", "principal": "bench@example.org"}
}
JSON
cat >snap/snapshot.json <<'JSON'
{"version": 1, "applies_to": {"environments": ["development"]},
 "rules": [{"id": "snap", "when": {"effects": ["data-loss"]}, "require": {"snapshot": true}}]}
JSON
echo "DELETE FROM messages WHERE mailbox >= 0;" >delete.sql

# time_run POLICIES: seconds of one `safedb run` on a fresh copy of the table.
time_run() {
  q postgres "DROP DATABASE IF EXISTS bench" && q postgres "CREATE DATABASE bench TEMPLATE tpl"
  q bench "CHECKPOINT"
  local start end
  start=$(date +%s.%N)
  "$safedb" run delete.sql --target bench --policies "$1" >/dev/null 2>"$out/last.err" ||
    { cat "$out/last.err" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN {print b - a}'
}

# time_psql FILE: seconds of one psql running FILE on a fresh copy of the table.
time_psql() {
  q postgres "DROP DATABASE IF EXISTS bench" && q postgres "CREATE DATABASE bench TEMPLATE tpl"
  q bench "CHECKPOINT"
  local start end
  start=$(date +%s.%N)
  "$psql" -X -q -v ON_ERROR_STOP=1 -d bench -f "$1" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN {print b - a}'
}
echo "BEGIN; DELETE FROM messages WHERE mailbox >= 0; COMMIT;" >psql_plain.sql
cat >psql_copy.sql <<'SQL'
BEGIN;
LOCK TABLE messages IN SHARE ROW EXCLUSIVE MODE;
COPY (SELECT id, mailbox, received, subject, body FROM messages WHERE mailbox >= 0) TO STDOUT (FORMAT binary);
DELETE FROM messages WHERE mailbox >= 0;
COMMIT;
SQL

# The floor of reading alongside: the run's session locks and exports its
# snapshot, a second psql imports it and runs the same COPY into /dev/null
# while the first one runs the DELETE, which commits once the COPY is done.
cat >psql_alongside.sql <<'SQL'
BEGIN;
LOCK TABLE messages IN SHARE ROW EXCLUSIVE MODE;
SELECT pg_export_snapshot() AS snap \gset
\setenv SNAP :snap
\! rm -f copied; ("$PSQL" -X -q -d bench -c "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" -c "SET TRANSACTION SNAPSHOT '$SNAP'" -c "COPY (SELECT id, mailbox, received, subject, body FROM messages WHERE mailbox >= 0) TO STDOUT (FORMAT binary)" -c "COMMIT" >/dev/null; touch copied) &
DELETE FROM messages WHERE mailbox >= 0;
\! while [ ! -e copied ]; do sleep 0.001; done
COMMIT;
SQL
export PSQL="$psql"

"$safedb" run delete.sql --target bench --policies none >/dev/null 2>&1 || true  # warm-up
for i in $(seq "$REPS"); do
  time_run none >>"$out/plain.txt"
  time_run snap >>"$out/snapshot.txt"
  time_psql psql_plain.sql >>"$out/psql_plain.txt"
  time_psql psql_copy.sql >>"$out/psql_copy.txt"
  time_psql psql_alongside.sql >>"$out/psql_alongside.txt"
done
rows=$(q bench "SELECT count(*) FROM messages")
[ "$rows" = 0 ] || { say "the DELETE did not delete"; exit 1; }
saved=$(ls -d .safedb/snapshots/*/ | tail -n 1)
bytes=$(du -sb "$saved" | cut -f1)

median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
plain=$(median "$out/plain.txt")
snap=$(median "$out/snapshot.txt")
psql_plain=$(median "$out/psql_plain.txt")
psql_copy=$(median "$out/psql_copy.txt")
psql_alongside=$(median "$out/psql_alongside.txt")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "Machine: $cpu, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; PostgreSQL $(q postgres 'SHOW server_version')"
echo
echo "| DELETE of $ROWS rows ($size table) | median of $REPS (s) |"
echo "|---|---|"
echo "| safedb run, no snapshot | $(printf %.3f "$plain") |"
echo "| safedb run, snapshot of the deleted rows ($((bytes / 1024 / 1024)) MiB saved, fsync'd) | $(printf %.3f "$snap") |"
echo "| **ratio** (goal ≤ 2) | **$(ratio "$snap" "$plain")×** |"
echo "| psql, the DELETE alone | $(printf %.3f "$psql_plain") |"
echo "| psql, the snapshot's COPY into /dev/null, then the DELETE | $(printf %.3f "$psql_copy") |"
echo "| **floor ratio** (COPY + DELETE / DELETE, nothing hashed or written) | **$(ratio "$psql_copy" "$psql_plain")×** |"
echo "| psql, the same COPY on a second session that imported the snapshot, while the DELETE runs | $(printf %.3f "$psql_alongside") |"
echo "| **floor ratio of reading alongside** | **$(ratio "$psql_alongside" "$psql_plain")×** |"
