#!/usr/bin/env bash
# safedb run against psql -1 on the same migrations, on a throwaway PostgreSQL.
#
#   bash bench/run_vs_psql.sh
#
# One run prints the whole report (Markdown): the machine, a small migration
# (safedb's fixed overhead), a 1,000,000-row UPDATE (the ratio), and where
# the fixed overhead goes (process start, analysis, dry-run, checkpoint, a
# system-call timeline of one run, CPU profile, audit log size).
#
# The alternative is the real psql binary of the server's version
# (/usr/lib/postgresql/N/bin/psql), not Debian's /usr/bin/psql, which is a
# Perl wrapper that adds its own start-up time.
#
# Environment:
#   SMALL_REPS=30       timed runs of the small migration, per tool
#   BIG_REPS=6          timed runs of the large UPDATE, per tool
#   BIG_ROWS=1000000    rows in the large table
#   TRACE_REPS=10       runs for each item of the breakdown
#   LOG_RECORDS=1000    audit log size for the checkpoint scaling measurement (0 = skip)
#   BUILD_DIR=build-bench
#   BENCH_USE_PGENV=1   use the server named by the PG* variables (needs a
#                       superuser: CREATE DATABASE, CHECKPOINT) instead of a
#                       scratch cluster
# Raw samples are kept in bench/out/run_vs_psql/.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/out/run_vs_psql"
build=${BUILD_DIR:-$root/build-bench}
SMALL_REPS=${SMALL_REPS:-30}
BIG_REPS=${BIG_REPS:-6}
BIG_ROWS=${BIG_ROWS:-1000000}
TRACE_REPS=${TRACE_REPS:-10}
LOG_RECORDS=${LOG_RECORDS:-1000}

rm -rf "$out"
mkdir -p "$out/samples"
. "$root/bench/lib.sh"

# --- build and tools --------------------------------------------------------

bench_build safedb
safedb="$build/safedb"

if ! command -v strace >/dev/null; then
  say "installing strace"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null
fi
have_perf=no
if command -v perf >/dev/null && perf stat -x, -e task-clock -o /dev/null true 2>/dev/null; then
  have_perf=yes
fi

bindir=${SAFEDB_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
psql="$bindir/psql"
[ -x "$psql" ] || die "no psql binary in $bindir"

# --- server and workspace ---------------------------------------------------

work=$(mktemp -d /tmp/safedb-bench.XXXXXX)
chmod 711 "$work"
cleanup() {
  if [ -z "${BENCH_USE_PGENV:-}" ]; then
    bash "$root/scripts/pg-scratch.sh" stop "$work/pg" >/dev/null 2>&1 || true
  elif [ -n "${PGDATABASE_ADMIN:-}" ]; then
    "$psql" -X -q -d "$PGDATABASE_ADMIN" -c "DROP DATABASE IF EXISTS bench_small" \
      -c "DROP DATABASE IF EXISTS bench_small_tpl" -c "DROP DATABASE IF EXISTS bench_big" \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${BENCH_USE_PGENV:-}" ]; then
  eval "$(bash "$root/scripts/pg-scratch.sh" start "$work/pg")"
fi
export PGDATABASE_ADMIN=${PGDATABASE:-postgres}
unset PGDATABASE

admin() {
  "$psql" -X -q -v ON_ERROR_STOP=1 -d "$PGDATABASE_ADMIN" -c "SET client_min_messages = warning" \
    "$@" >/dev/null
}
# q DB SQL: one value.
q() { "$psql" -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

ws="$work/ws"
mkdir -p "$ws/.safedb" "$ws/policies"  # no policy files: the runs are under no policy
cd "$ws"
"$safedb" keys generate --out .safedb/id_ed25519 --principal bench@example.org \
  >.safedb/allowed_signers 2>/dev/null
cat >safedb.json <<'EOF'
{
  "targets": {
    "small": {"dsn": "dbname=bench_small", "environment": "development"},
    "big": {"dsn": "dbname=bench_big", "environment": "development"}
  },
  "signing": {"key": ".safedb/id_ed25519", "principal": "bench@example.org"}
}
EOF
log=.safedb/audit.jsonl
# A young log: its first record and one checkpoint. Every timed run starts
# from a copy of it, so that the closing checkpoint (which re-reads the whole
# log) costs the same in every repetition; growth is measured on its own.
"$safedb" audit checkpoint --log "$log" --key .safedb/id_ed25519 --principal bench@example.org \
  >/dev/null 2>&1
cp "$log" base.jsonl
base_records=$(wc -l <base.jsonl)
restore_log() { cp base.jsonl "$log" && sync "$log"; }

# --- migrations ---------------------------------------------------------------

cat >small.sql <<'EOF'
CREATE TABLE invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL,
  amount numeric(12, 2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoices_account_id ON invoices (account_id);
ALTER TABLE invoices ADD CONSTRAINT invoices_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE accounts ADD COLUMN plan text;
ALTER TABLE accounts ADD COLUMN suspended_at timestamptz;
UPDATE accounts SET plan = 'pro' WHERE id IN (1, 2, 3, 4, 5);
INSERT INTO invoices (account_id, amount) VALUES (1, 10.00), (2, 20.00), (3, 30.00);
CREATE VIEW account_totals AS SELECT account_id, sum(amount) AS total FROM invoices GROUP BY account_id;
COMMENT ON COLUMN accounts.plan IS 'billing plan; NULL means free';
CREATE INDEX accounts_plan ON accounts (plan);
EOF
echo 'UPDATE big SET v = v + 1;' >big.sql
small_statements=$(grep -c ';$' small.sql)

say "creating the databases ($BIG_ROWS rows in big)"
admin -c "DROP DATABASE IF EXISTS bench_small" -c "DROP DATABASE IF EXISTS bench_small_tpl" \
  -c "DROP DATABASE IF EXISTS bench_big" -c "CREATE DATABASE bench_small_tpl" \
  -c "CREATE DATABASE bench_big"
"$psql" -X -q -v ON_ERROR_STOP=1 -d bench_small_tpl >/dev/null <<'EOF'
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO accounts (id, email) SELECT g, 'user' || g || '@example.org' FROM generate_series(1, 10000) g;
VACUUM ANALYZE accounts;
EOF
# Autovacuum off for this table: it must not start in the middle of a timed run.
"$psql" -X -q -v ON_ERROR_STOP=1 -d bench_big >/dev/null \
  -c "CREATE TABLE big (id bigint PRIMARY KEY, v integer NOT NULL DEFAULT 0) WITH (autovacuum_enabled = off)" \
  -c "INSERT INTO big (id) SELECT generate_series(1, $BIG_ROWS)" \
  -c "VACUUM ANALYZE big"

# Recreates bench_small from its template and opens one connection to it
# (the first connection to a new database builds its relation cache file).
reset_small() {
  admin -c "DROP DATABASE IF EXISTS bench_small" -c "CREATE DATABASE bench_small TEMPLATE bench_small_tpl"
  "$psql" -X -q -d bench_small -c "SELECT 1" >/dev/null
  restore_log
}
check_small() {
  [ "$(q bench_small "SELECT count(*) FROM invoices")" = 3 ] || die "$1: the small migration did not apply"
}
# Dead row versions of the last UPDATE removed, dirty pages written: every
# run of the large UPDATE starts from the same table.
reset_big() {
  "$psql" -X -q -v ON_ERROR_STOP=1 -d bench_big -c "VACUUM big" -c "CHECKPOINT" >/dev/null
  restore_log
}
big_updates=0
check_big() {
  big_updates=$((big_updates + 1))
  [ "$(q bench_big "SELECT min(v) = $big_updates AND max(v) = $big_updates FROM big")" = t ] ||
    die "$1: the large UPDATE did not apply"
}

run_psql_small() { "$psql" -X -q -1 -v ON_ERROR_STOP=1 -d bench_small -f small.sql; }
run_safedb_small() { "$safedb" run small.sql --target small; }
run_psql_big() { "$psql" -X -q -1 -v ON_ERROR_STOP=1 -d bench_big -f big.sql; }
run_safedb_big() { "$safedb" run big.sql --target big; }

# --- timing -------------------------------------------------------------------

# timed FILE CMD...: runs CMD, appends its wall time in ms to FILE. Bash's
# EPOCHREALTIME needs no extra process, so nothing else is timed.
timed() {
  local file=$1 t0 t1 rc=0
  shift
  t0=$EPOCHREALTIME
  "$@" >"$out/last.stdout" 2>"$out/last.stderr" || rc=$?
  t1=$EPOCHREALTIME
  if [ "$rc" -ne 0 ]; then
    cat "$out/last.stderr" >&2
    die "failed with status $rc: $*"
  fi
  local us=$((${t1/./} - ${t0/./}))
  printf '%d.%03d\n' $((us / 1000)) $((us % 1000)) >>"$out/samples/$file"
  last_ms="$((us / 1000)).$(printf '%03d' $((us % 1000)))"
}

# stats FILE: "median min max" of the samples in FILE (ms).
stats() {
  sort -g "$out/samples/$1" | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.1f %.1f %.1f\n", m, v[1], v[NR] }'
}
median() { stats "$1" | cut -d' ' -f1; }
# ms FILE: "median (min–max)" for a table cell.
ms() { stats "$1" | awk '{ printf "%s (%s–%s)", $1, $2, $3 }'; }
s() { stats "$1" | awk '{ printf "%.2f (%.2f–%.2f)", $1 / 1000, $2 / 1000, $3 / 1000 }'; }
ratio() { awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN { printf "%.2f×", a / b }'; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
load_start=$(loadavg)

# --- 1. small migration -------------------------------------------------------

say "small migration: 2 warm-up + $SMALL_REPS timed runs per tool"
for i in 1 2; do
  reset_small
  run_psql_small >/dev/null
  check_small warm-up
  reset_small
  run_safedb_small >/dev/null 2>&1
  check_small warm-up
done
for i in $(seq "$SMALL_REPS"); do
  # Alternate which tool goes first.
  if [ $((i % 2)) -eq 1 ]; then order="psql safedb"; else order="safedb psql"; fi
  for tool in $order; do
    reset_small
    timed "small.$tool" "run_${tool}_small"
    check_small "$tool run $i"
    eval "small_${tool}_ms=\$last_ms"
  done
  awk -v a="$small_safedb_ms" -v b="$small_psql_ms" 'BEGIN { printf "%.3f\n", a - b }' \
    >>"$out/samples/small.diff"
done

# --- 2. large UPDATE ------------------------------------------------------------

say "large UPDATE: 1 warm-up + $BIG_REPS timed runs per tool"
# The first UPDATE after the load moves every row to new pages; after it and
# a VACUUM the table has the layout every later run sees.
reset_big
run_psql_big >/dev/null
check_big warm-up
for i in $(seq "$BIG_REPS"); do
  if [ $((i % 2)) -eq 1 ]; then order="psql safedb"; else order="safedb psql"; fi
  for tool in $order; do
    reset_big
    timed "big.$tool" "run_${tool}_big"
    check_big "$tool run $i"
    eval "big_${tool}_ms=\$last_ms"
  done
  awk -v a="$big_safedb_ms" -v b="$big_psql_ms" 'BEGIN { printf "%.4f\n", a / b }' \
    >>"$out/samples/big.ratio"
done
big_size=$(q bench_big "SELECT pg_size_pretty(pg_table_size('big'))")

# --- 3. where the fixed overhead goes -------------------------------------------

say "breakdown: $TRACE_REPS runs per item"
for i in $(seq "$TRACE_REPS"); do
  timed start.safedb "$safedb" --version
  timed start.psql "$psql" --version
  timed check.safedb "$safedb" check --format json --fail-on none small.sql
  reset_small
  timed dryrun.safedb "$safedb" dry-run small.sql --target small
  restore_log
  timed checkpoint.safedb "$safedb" audit checkpoint --log "$log" --key .safedb/id_ed25519 \
    --principal bench@example.org
  reset_small
  timed connect.psql "$psql" -X -q -d bench_small -c "SELECT 1"
done

# System-call timeline of whole runs: only the calls that mark a phase are
# traced (seccomp-bpf), so strace adds little. Phases are the gaps between
# marks, in ms.
trace() {  # trace FILE CMD...
  local file=$1
  shift
  strace -f --seccomp-bpf -ttt -T -s 48 -o "$file" \
    -e trace=execve,openat,connect,sendto,flock,fsync,exit_group "$@" >/dev/null 2>&1
}
phases_safedb() {
  awk '{ t = $2 * 1000 }
    / execve\(/ && !exe { exe = t }
    /openat\(.*"safedb\.json"/ && !conf { conf = t }
    / connect\(/ && !conn { conn = t }
    /sendto\([0-9]+, "Q/ && !q1 { q1 = t }
    /flock\(.*LOCK_EX/ { ex[++n] = t }
    /sendto\(.*BEGIN\\0"/ && !begin { begin = t }
    /sendto\(.*pg_advisory_unlock/ { unlock = t }
    /sendto\([0-9]+, "X\\0\\0\\0\\4"/ { term = t }
    /\+\+\+ exited/ { end = t }
    END {
      printf "%.3f %.3f %.3f %.3f %.3f %.3f %.3f %.3f %.3f %.3f %.3f\n",
        conf - exe, conn - conf, q1 - conn, ex[1] - q1, begin - ex[1], unlock - begin,
        ex[2] - unlock, ex[3] - ex[2], term - ex[3], end - term, end - exe }' "$1"
}
phases_psql() {
  awk '{ t = $2 * 1000 }
    / execve\(/ && !exe { exe = t }
    / connect\(/ && !conn { conn = t }
    /sendto\([0-9]+, "Q/ && !q1 { q1 = t }
    /sendto\([0-9]+, "X\\0\\0\\0\\4"/ { term = t }
    /\+\+\+ exited/ { end = t }
    END { printf "%.3f %.3f %.3f %.3f %.3f\n", conn - exe, q1 - conn, term - q1, end - term, end - exe }' "$1"
}
: >"$out/samples/fsync.safedb"
for i in $(seq "$TRACE_REPS"); do
  reset_small
  trace "$out/strace.safedb.$i" "$safedb" run small.sql --target small
  check_small "traced safedb run"
  [ "$i" -eq 1 ] && cp "$log" "$out/one-run.jsonl"
  phases_safedb "$out/strace.safedb.$i" >>"$out/phases.safedb"
  sed -n 's/.* fsync(.*<\([0-9.]*\)>$/\1/p' "$out/strace.safedb.$i" |
    awk '{ printf "%.3f\n", $1 * 1000 }' >>"$out/samples/fsync.safedb"
  reset_small
  trace "$out/strace.psql.$i" "$psql" -X -q -1 -v ON_ERROR_STOP=1 -d bench_small -f small.sql
  check_small "traced psql run"
  phases_psql "$out/strace.psql.$i" >>"$out/phases.psql"
done
# column N of a phases file into a samples file
for n in $(seq 11); do awk -v n="$n" '{ print $n }' "$out/phases.safedb" >"$out/samples/ph.safedb.$n"; done
for n in $(seq 5); do awk -v n="$n" '{ print $n }' "$out/phases.psql" >"$out/samples/ph.psql.$n"; done

# CPU time of the client process itself, and where safedb spends it.
if [ "$have_perf" = yes ]; then
  for i in $(seq "$TRACE_REPS"); do
    reset_small
    perf stat -x, -e task-clock -o "$out/perfstat.safedb" -- \
      "$safedb" run small.sql --target small >/dev/null 2>&1
    check_small "safedb under perf stat"
    reset_small
    perf stat -x, -e task-clock -o "$out/perfstat.psql" -- \
      "$psql" -X -q -1 -v ON_ERROR_STOP=1 -d bench_small -f small.sql >/dev/null 2>&1
    check_small "psql under perf stat"
    for tool in safedb psql; do
      awk -F, '$3 == "task-clock" { print $1 }' "$out/perfstat.$tool" >>"$out/samples/cpu.$tool"
    done
  done
  # One profile over several runs, with the resets, filtered to safedb's process.
  export -f reset_small restore_log admin
  export psql safedb log PGDATABASE_ADMIN
  perf record -q --call-graph dwarf -F 10000 -o "$out/perf.data" -- bash -c \
    "for i in \$(seq $TRACE_REPS); do reset_small; '$safedb' run small.sql --target small >/dev/null 2>&1; done" \
    >/dev/null 2>&1 || true
  # Shares of safedb's samples (perf's own --comms filter drops kernel and loader samples).
  perf report -i "$out/perf.data" --no-children -g none --sort comm,dso --stdio -q 2>/dev/null |
    awk '$2 == "safedb" { p[$3] += $1; t += $1 }
      END { for (d in p) printf "%.1f%% %s\n", 100 * p[d] / t, d }' |
    sort -rn | head -n 8 >"$out/perf.dso" || true
  # Inclusive shares (with callers' call chains) of the steps of a run.
  perf report -i "$out/perf.data" --children --comms safedb --percentage relative --sort sym \
    --stdio -q -g none 2>/dev/null >"$out/perf.children" || true
  activity() {  # activity SYMBOL LABEL
    awk -v sym="$1" -v label="$2" '{ name = $0; sub(/^.*\[[.k]\] /, "", name); sub(/ +$/, "", name) }
      name == sym && !done { printf "%s|%s\n", $1 + 0, label; done = 1 }
      END { if (!done) printf "0|%s\n", label }' "$out/perf.children"
  }
  {
    # The loader's own code: call chains through ld.so are often cut short.
    awk '$2 ~ /^ld-linux/ { printf "%s|%s\n", $1 + 0, label }' \
      label="dynamic loader (ld.so's own code): relocate $(ldd "$safedb" | grep -c "=>") libraries" \
      "$out/perf.dso"
    activity safedb::cli::open_signer "load the signing key (first OpenSSL use: its initialisation)"
    activity safedb::config::load "read safedb.json"
    activity safedb::sql::analyse "analyse the file (scan, parse, classify)"
    activity safedb::db::Connection::open "connect (libpq)"
    activity safedb::db::Connection::exec "queries and statements (libpq)"
    activity safedb::audit::AuditLog::append "intent and outcome records (build, sign, write)"
    activity safedb::audit::AuditLog::checkpoint "checkpoint (re-read and parse the log, Merkle root, sign)"
  } >"$out/perf.activity"
fi

# The closing checkpoint re-reads the whole log: its cost per record.
grown_records=""
if [ "$LOG_RECORDS" -gt "$base_records" ]; then
  say "growing a log to $LOG_RECORDS records for the checkpoint measurement"
  cp base.jsonl grown.jsonl
  while [ "$(wc -l <grown.jsonl)" -lt "$LOG_RECORDS" ]; do
    "$safedb" audit checkpoint --log grown.jsonl --key .safedb/id_ed25519 \
      --principal bench@example.org >/dev/null 2>&1
  done
  grown_records=$(wc -l <grown.jsonl)
  grown_bytes=$(wc -c <grown.jsonl)
  for i in $(seq "$TRACE_REPS"); do
    timed checkpoint.grown "$safedb" audit checkpoint --log grown.jsonl --key .safedb/id_ed25519 \
      --principal bench@example.org
  done
  # CPU time too: less disturbed by other load than wall time.
  if [ "$have_perf" = yes ]; then
    cp base.jsonl small-log.jsonl
    for i in $(seq "$TRACE_REPS"); do
      for which in small-log grown; do
        perf stat -x, -e task-clock -o "$out/perfstat.ckpt" -- "$safedb" audit checkpoint \
          --log "$which.jsonl" --key .safedb/id_ed25519 --principal bench@example.org >/dev/null 2>&1
        awk -F, '$3 == "task-clock" { print $1 }' "$out/perfstat.ckpt" >>"$out/samples/cpu.ckpt.$which"
      done
    done
  fi
fi
load_end=$(loadavg)

# --- report ---------------------------------------------------------------------

disk_dev=$(findmnt -no SOURCE --target "$work" | sed 's|^/dev/||')
disk_parent=$(lsblk -no PKNAME "/dev/$disk_dev" 2>/dev/null | head -n 1)
disk_parent=${disk_parent:-$disk_dev}
disk_driver=$(basename "$(readlink -f "/sys/block/$disk_parent/device/driver" 2>/dev/null)" 2>/dev/null || true)
disk_rota=$(cat "/sys/block/$disk_parent/queue/rotational" 2>/dev/null || echo "?")
server_version=$(q "$PGDATABASE_ADMIN" "SELECT version()")
server_settings=$(q "$PGDATABASE_ADMIN" "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'full_page_writes', 'synchronous_commit', 'shared_buffers', 'wal_level')")
run_record_bytes=$(awk '{ print length($0) + 1 }' "$out/one-run.jsonl" | tail -n 3 | paste -sd/)

small_diff=$(stats small.diff)
cat <<EOF | tee "$out/report.md"
## Results of bench/run_vs_psql.sh

**Machine**: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores, \
$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, \
$(findmnt -no FSTYPE --target "$work") on /dev/$disk_parent (${disk_driver:-unknown driver}, rotational=$disk_rota), \
$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), virtualisation: $(systemd-detect-virt 2>/dev/null || echo unknown).
Load average (1, 5, 15 min): $load_start at the start, $load_end at the end.
**Server**: $server_version; $server_settings.
**Client**: $("$psql" --version) (\`$psql\`); $("$safedb" --version), Release build.

### 1. Small migration ($small_statements statements, $SMALL_REPS runs each, ms)

| | median (min–max) |
|---|---|
| \`psql -X -q -1 -v ON_ERROR_STOP=1 -f small.sql\` | $(ms small.psql) |
| \`safedb run small.sql --target small\` | $(ms small.safedb) |
| safedb − psql, paired per repetition | $(echo "$small_diff" | awk '{ printf "%s (%s–%s)", $1, $2, $3 }') |
| **fixed overhead (difference of medians)** | **$(awk -v a="$(median small.safedb)" -v b="$(median small.psql)" 'BEGIN { printf "%.1f ms", a - b }')** |
| **ratio safedb / psql (medians)** | **$(ratio small.safedb small.psql)** |

### 2. \`UPDATE big SET v = v + 1\` on $BIG_ROWS rows ($BIG_REPS runs each, s; table $big_size)

| | median (min–max) |
|---|---|
| psql | $(s big.psql) |
| safedb run | $(s big.safedb) |
| **ratio safedb / psql (medians)** | **$(ratio big.safedb big.psql)** |
| ratio safedb / psql, paired per repetition | $(sort -g "$out/samples/big.ratio" | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.2f× (%.2f–%.2f)", m, v[1], v[NR] }') |
| ratio expected from the fixed overhead of section 1 | $(awk -v p="$(median big.psql)" -v a="$(median small.safedb)" -v b="$(median small.psql)" 'BEGIN { printf "%.3f×", (p + a - b) / p }') |

### 3. Where the fixed overhead goes

Whole commands ($TRACE_REPS runs each, ms):

| command | median (min–max) |
|---|---|
| \`psql --version\` (process start) | $(ms start.psql) |
| \`safedb --version\` (process start) | $(ms start.safedb) |
| \`safedb check --format json small.sql\` (start + read + parse + classify + report) | $(ms check.safedb) |
| \`psql -X -q -c 'SELECT 1'\` (start + connect + one query) | $(ms connect.psql) |
| \`safedb dry-run small.sql\` (whole pipeline, rolled back, catalog and lock measurements, 1 record + checkpoint) | $(ms dryrun.safedb) |
| \`safedb audit checkpoint\` on a $base_records-record log (start + key + re-read log + sign + fsync) | $(ms checkpoint.safedb) |
EOF
if [ -n "$grown_records" ]; then
  cat <<EOF | tee -a "$out/report.md"
| \`safedb audit checkpoint\` on a $grown_records-record log ($grown_bytes bytes) | $(ms checkpoint.grown) |
| → cost of each record already in the log, per run | $(awk -v a="$(median checkpoint.grown)" -v b="$(median checkpoint.safedb)" -v n="$((grown_records - base_records))" 'BEGIN { printf "%.1f µs (%.1f s per run at 100,000 records)", (a - b) * 1000 / n, (a - b) * 100000 / n / 1000 }') |
EOF
  if [ -s "$out/samples/cpu.ckpt.grown" ]; then
    cat <<EOF | tee -a "$out/report.md"
| same in CPU time (\`perf stat\`): checkpoint on the young log → on the grown log, per record | $(ms cpu.ckpt.small-log) → $(ms cpu.ckpt.grown): $(awk -v a="$(median cpu.ckpt.grown)" -v b="$(median cpu.ckpt.small-log)" -v n="$((grown_records - base_records))" 'BEGIN { printf "%.1f µs", (a - b) * 1000 / n }') |
EOF
  fi
fi
ph() { ms "ph.$1"; }
cat <<EOF | tee -a "$out/report.md"

Timeline of one run under \`strace --seccomp-bpf\` (only the marking calls are traced;
$TRACE_REPS runs each, median (min–max) ms per phase):

| phase | safedb run | psql -1 -f |
|---|---|---|
| exec → config read: loader, libraries, static initialisation | $(ph safedb.1) | $(ph psql.1) (exec → connect) |
| config, key, audit log open, read + hash + parse + classify the file | $(ph safedb.2) | — |
| connect: libpq start-up, new backend, authentication | $(ph safedb.3) | $(ph psql.2) |
| identify target, advisory lock, session settings (4 round trips) | $(ph safedb.4) | — |
| intent record: sign, write, fsync | $(ph safedb.5) | — |
| BEGIN … statements … COMMIT | $(ph safedb.6) | $(ph psql.3) |
| advisory unlock (1 round trip) | $(ph safedb.7) | — |
| outcome record: sign, write, fsync | $(ph safedb.8) | — |
| checkpoint: re-read log, check chain, Merkle root, sign note + record, fsync | $(ph safedb.9) | — |
| disconnect, report, exit | $(ph safedb.10) | $(ph psql.4) |
| **total under strace** | **$(ph safedb.11)** | **$(ph psql.5)** |

fsync of the audit log: $(ms fsync.safedb) ms each, 3 per run. Audit records of one run
(intent/outcome/checkpoint): $run_record_bytes bytes.
EOF
if [ "$have_perf" = yes ] && [ -s "$out/samples/cpu.safedb" ]; then
  cat <<EOF | tee -a "$out/report.md"

CPU time of the client process (\`perf stat -e task-clock\`, $TRACE_REPS runs, ms):
psql $(ms cpu.psql), safedb $(ms cpu.safedb).

Where safedb's own CPU time goes (\`perf record\` over $TRACE_REPS runs, share by library):

| share | library |
|---|---|
$(awk '{ printf "| %s | %s |\n", $1, $2 }' "$out/perf.dso")

CPU time of safedb's process by step (inclusive shares of the samples with DWARF call chains,
times the median CPU time):

| step | share | ≈ ms |
|---|---|---|
$(awk -F'|' -v cpu="$(median cpu.safedb)" '{ s += $1; printf "| %s | %.1f%% | %.1f |\n", $2, $1, $1 * cpu / 100 }
  END { printf "| everything else (kernel: exec, page faults of loading, exit; libc start-up, option parsing, report) | %.1f%% | %.1f |\n", 100 - s, (100 - s) * cpu / 100 }' "$out/perf.activity")
EOF
fi
say "raw samples, traces and profile in $out"
