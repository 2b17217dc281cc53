#!/usr/bin/env bash
# safedb backup create / verify against plain pg_dump / pg_restore, and the
# content hash against plain COPY, on a throwaway PostgreSQL.
#
#   bash bench/backup_vs_pg.sh
#
# One run prints the whole report (Markdown): the machine, then
#   1. `safedb backup create --jobs 2` against `pg_dump -Fd -j2` of the same database;
#   2. `safedb backup verify` against `pg_restore -j2` into a new database;
#   3. content::hash_copy of one large table against COPY ... TO STDOUT
#      into nothing (bench/backup/hash_copy_bench.cpp), and psql's COPY to /dev/null;
# and where safedb's extra time goes (content hashing of the database on its
# own, SHA-256 of the dump files). Create and verify also time, in the same
# rounds, the floor of their design: the same pg_dump with one more COPY of
# every table beside it, and the same pg_restore followed by one COPY of
# every table (psql into /dev/null: nothing hashed, no amcheck).
#
# Environment:
#   REPS=3               timed runs per tool (the median is reported)
#   BACKUP_ROWS=1500000  rows in each of the two tables of the backup database (~400 MB)
#   HASH_ROWS=4500000    rows of the hashing table (~1 GB)
#   BUILD_DIR=build-bench
#   SAFEDB_BASELINE=     another safedb binary (e.g. built from an earlier commit) whose
#                        `backup create` and `backup verify` are timed in the same rounds,
#                        for before/after figures
# Raw samples are kept in bench/out/backup/.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/out/backup"
build=${BUILD_DIR:-$root/build-bench}
REPS=${REPS:-3}
BACKUP_ROWS=${BACKUP_ROWS:-1500000}
HASH_ROWS=${HASH_ROWS:-4500000}

rm -rf "$out"
mkdir -p "$out"
. "$root/bench/lib.sh"

# --- build and tools --------------------------------------------------------

bench_build safedb bench_hash_copy
safedb="$build/safedb"
hash_bench="$build/bench/backup/bench_hash_copy"

bindir=${SAFEDB_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
psql="$bindir/psql"
[ -x "$bindir/pg_dump" ] || die "no pg_dump in $bindir"

# --- server and workspace ---------------------------------------------------

bench_cluster

q() { "$psql" -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f\n", b - a}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

say "loading the backup database ($BACKUP_ROWS rows per table)"
q postgres "CREATE DATABASE bench_backup"
q bench_backup "
  CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(14,2),
                         created timestamptz NOT NULL);
  INSERT INTO accounts SELECT g, 'owner-' || md5(g::text), g * 0.37,
         '2024-01-01'::timestamptz + g * interval '1 second' FROM generate_series(1, $BACKUP_ROWS) g;
  CREATE TABLE events (account_id bigint, at timestamptz, payload jsonb, note text);
  INSERT INTO events SELECT g % 100000, '2024-01-01'::timestamptz + g * interval '1 second',
         jsonb_build_object('kind', g % 13, 'ref', md5(g::text)), CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g END
         FROM generate_series(1, $BACKUP_ROWS) g;
  CREATE INDEX ON events (at); CREATE INDEX ON events (account_id)"
q bench_backup "VACUUM ANALYZE"
db_size=$(q bench_backup "SELECT pg_size_pretty(pg_database_size('bench_backup'))")

say "loading the hashing table ($HASH_ROWS rows)"
q postgres "CREATE DATABASE bench_hash"
q bench_hash "
  CREATE TABLE big (id bigint, a text, b text, c timestamptz, d numeric);
  INSERT INTO big SELECT g, repeat(md5(g::text), 3), md5((g * 7)::text), now(), g / 3.0
         FROM generate_series(1, $HASH_ROWS) g"
q bench_hash "VACUUM ANALYZE"
hash_size=$(q bench_hash "SELECT pg_size_pretty(pg_total_relation_size('big'))")

ws="$work/ws"
mkdir -p "$ws/.safedb"
cd "$ws"
"$safedb" keys generate --out .safedb/id_ed25519 --principal bench@example.org \
  >.safedb/allowed_signers 2>/dev/null
cat >safedb.json <<JSON
{
  "targets": {"bench": {"dsn": "dbname=bench_backup", "environment": "development"}},
  "signing": {"key": ".safedb/id_ed25519", "principal": "bench@example.org"},
  "pg_bin": "$bindir",
  "backups": {"jobs": 2}
}
JSON

# copy_all DB: one COPY of every table of DB into /dev/null, as the manifest reads them.
copy_all() {
  "$psql" -X -q -v ON_ERROR_STOP=1 -d "$1" -c "COPY accounts TO STDOUT" \
    -c "COPY events TO STDOUT" >/dev/null
}

# --- 1. create against pg_dump ------------------------------------------------

say "backup create against pg_dump -Fd -j2 ($REPS runs each)"
# time_safedb NAME BINARY ARGS...: seconds of one safedb command, appended to
# $out/NAME.txt; its output goes to $out/NAME.out.
time_safedb() {
  local name=$1 binary=$2 t0 t1
  shift 2
  t0=$(now)
  "$binary" "$@" >"$out/$name.out" 2>&1 || { cat "$out/$name.out" >&2; exit 1; }
  t1=$(now)
  elapsed "$t0" "$t1" >>"$out/$name.txt"
}
time_create() { # binary, name of the samples file; a baseline's backup is removed
  time_safedb "$2" "$1" backup create --target bench
  [ "$2" = create ] || rm -rf ".safedb/backups/$(awk 'NR==1 {print $2}' "$out/$2.out")"
  sync
}
for i in $(seq "$REPS"); do
  rm -rf "$work/dump"
  sync
  t0=$(now)
  "$bindir/pg_dump" -Fd -j2 -d bench_backup -f "$work/dump"
  t1=$(now)
  elapsed "$t0" "$t1" >>"$out/pg_dump.txt"
  [ "$i" -lt "$REPS" ] && rm -rf "$work/dump"
  sync
  # With a baseline, the two safedb binaries take turns going first; the
  # backup the last round of this build makes is the one verified below.
  if [ -n "${SAFEDB_BASELINE:-}" ] && [ $((i % 2)) -eq 0 ]; then
    time_create "$SAFEDB_BASELINE" baseline_create
    time_create "$safedb" create
  else
    time_create "$safedb" create
    [ -z "${SAFEDB_BASELINE:-}" ] || time_create "$SAFEDB_BASELINE" baseline_create
  fi
  id=$(awk 'NR==1 {print $2}' "$out/create.out")
  [ "$i" -lt "$REPS" ] && rm -rf ".safedb/backups/$id"
  rm -rf "$work/dump_floor"
  sync
  t0=$(now)
  copy_all bench_backup &
  "$bindir/pg_dump" -Fd -j2 -d bench_backup -f "$work/dump_floor"
  wait
  t1=$(now)
  elapsed "$t0" "$t1" >>"$out/create_floor.txt"
  rm -rf "$work/dump_floor"
done
dump_size=$(du -sh "$work/dump" | cut -f1)

# --- 2. verify against pg_restore -------------------------------------------------

say "backup verify against pg_restore -j2 ($REPS runs each)"
time_verify() { # binary, name of the samples file
  time_safedb "$2" "$1" backup verify "$id" --target bench
}
for i in $(seq "$REPS"); do
  q postgres "CREATE DATABASE restored"
  t0=$(now)
  "$bindir/pg_restore" -j2 --exit-on-error -d restored "$work/dump"
  t1=$(now)
  elapsed "$t0" "$t1" >>"$out/pg_restore.txt"
  q postgres "DROP DATABASE restored"
  q postgres "CREATE DATABASE restored"
  t0=$(now)
  "$bindir/pg_restore" -j2 --exit-on-error -d restored "$work/dump"
  copy_all restored
  t1=$(now)
  elapsed "$t0" "$t1" >>"$out/verify_floor.txt"
  q postgres "DROP DATABASE restored"
  # With a baseline, the two safedb binaries take turns going first.
  if [ -n "${SAFEDB_BASELINE:-}" ] && [ $((i % 2)) -eq 0 ]; then
    time_verify "$SAFEDB_BASELINE" baseline
    time_verify "$safedb" verify
  else
    time_verify "$safedb" verify
    [ -z "${SAFEDB_BASELINE:-}" ] || time_verify "$SAFEDB_BASELINE" baseline
  fi
done

# --- where the extra time goes ----------------------------------------------------

say "breakdown: content hashing of the database, SHA-256 of the dump files"
t0=$(now)
for t in accounts events; do "$hash_bench" "dbname=bench_backup" "$t" 1 >>"$out/breakdown.txt"; done
t1=$(now)
content_s=$(awk '{s += $10} END {printf "%.2f", s}' "$out/breakdown.txt")
copy_s=$(awk '{s += $8} END {printf "%.2f", s}' "$out/breakdown.txt")
sync
t0=$(now)
sha256sum "$work/dump"/* >/dev/null
t1=$(now)
files_s=$(elapsed "$t0" "$t1")

# --- 3. content hashing of ~1 GB against COPY -------------------------------------

say "hash_copy against COPY TO STDOUT of a $hash_size table"
"$hash_bench" "dbname=bench_hash" big "$REPS" >"$out/hash.txt"
t0=$(now)
q bench_hash "COPY big TO STDOUT" >/dev/null
t1=$(now)
psql_copy=$(elapsed "$t0" "$t1")

# --- report -------------------------------------------------------------------------

dump_m=$(median <"$out/pg_dump.txt")
create_m=$(median <"$out/create.txt")
restore_m=$(median <"$out/pg_restore.txt")
verify_m=$(median <"$out/verify.txt")
create_floor_m=$(median <"$out/create_floor.txt")
verify_floor_m=$(median <"$out/verify_floor.txt")
copy_m=$(awk '{print $8}' "$out/hash.txt" | median)
hash_m=$(awk '{print $10}' "$out/hash.txt" | median)
hash_bytes=$(awk 'NR==1 {print $6}' "$out/hash.txt")
cat <<REPORT
## Backups

Machine: $(nproc) vCPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),
$(free -g | awk '/Mem:/ {print $2}') GiB RAM, load average before the run $(cut -d' ' -f1-3 /proc/loadavg);
PostgreSQL $(q postgres "SHOW server_version"), fsync off on the scratch cluster.
Database: $db_size (two tables of $BACKUP_ROWS rows, three indexes); dump $dump_size.
Medians of $REPS runs (samples in bench/out/backup/).

| measurement | plain | safedb | ratio | goal |
|---|---|---|---|---|
| backup: \`pg_dump -Fd -j2\` / \`safedb backup create --jobs 2\` | ${dump_m} s | ${create_m} s | $(ratio "$create_m" "$dump_m") | ≤ 1.25 |
| verify: \`pg_restore -j2\` / \`safedb backup verify\` | ${restore_m} s | ${verify_m} s | $(ratio "$verify_m" "$restore_m") | ≤ 1.3 |
| hashing $hash_size ($hash_bytes bytes of COPY text): COPY into nothing / \`content::hash_copy\` | ${copy_m} s | ${hash_m} s | $(ratio "$hash_m" "$copy_m") | ≤ 1.3 |

psql \`COPY big TO STDOUT >/dev/null\`: ${psql_copy} s.

The floor of each design, timed in the same rounds (psql's COPY into /dev/null:
nothing hashed, nothing checked):

| floor | plain | plain + one more read of every table | ratio |
|---|---|---|---|
| \`pg_dump -Fd -j2\` with a COPY of every table beside it | ${dump_m} s | ${create_floor_m} s | $(ratio "$create_floor_m" "$dump_m") |
| \`pg_restore -j2\`, then a COPY of every table | ${restore_m} s | ${verify_floor_m} s | $(ratio "$verify_floor_m" "$restore_m") |

Per round, pg_dump / create / floor: $(paste -d/ "$out/pg_dump.txt" "$out/create.txt" "$out/create_floor.txt" | tr '\n' ' ')
Per round, pg_restore / verify: $(paste -d/ "$out/pg_restore.txt" "$out/verify.txt" | tr '\n' ' ')
REPORT
if [ -n "${SAFEDB_BASELINE:-}" ]; then
  baseline_m=$(median <"$out/baseline.txt")
  cat <<REPORT
Baseline ($SAFEDB_BASELINE), timed in the same rounds (the two take turns going first):
\`backup create\` $(median <"$out/baseline_create.txt") s, ratio $(ratio "$(median <"$out/baseline_create.txt")" "$dump_m");
per round: $(tr '\n' ' ' <"$out/baseline_create.txt")
\`backup verify\` ${baseline_m} s, ratio $(ratio "$baseline_m" "$restore_m");
per round: $(tr '\n' ' ' <"$out/baseline.txt")
REPORT
fi
cat <<REPORT

Where the extra time goes (measured alone, same database):
- content hashing of every table (COPY + SHA-256 per row): ${content_s} s (COPY alone ${copy_s} s);
- SHA-256 of the dump files (page cache warm): ${files_s} s.
REPORT
