#!/usr/bin/env bash
# What reading the audit log as evidence costs a guarded run, on a log of
# RECORDS records (default 100,000), and what the verified mark saves.
#
#   bash bench/audit_evidence.sh          RECORDS=20000 bash bench/audit_evidence.sh
#
# On a throwaway PostgreSQL, under a policy whose dry-run gate reads the log
# as evidence, it times, in this order: `safedb run` after a dry-run with no
# verified mark (every signature checked, then the mark written), the same
# run again (the mark vouches for all but the newest records), the same run
# under no policy (nothing read as evidence: what the log's size costs any
# run), and `safedb audit verify` of the whole log (what an auditor pays; it
# never uses the mark). Prints a Markdown table.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
records=${RECORDS:-100000}
out="$root/bench/out/audit_evidence"
rm -rf "$out"
mkdir -p "$out"
. "$root/bench/lib.sh"

bench_build safedb audit_gen_log
safedb="$build/safedb"
bindir=${SAFEDB_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
bench_cluster
"$bindir/psql" -XAtq -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE bench"
"$bindir/psql" -XAtq -v ON_ERROR_STOP=1 -d bench \
  -c "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 1000)"

ws="$work/ws"
mkdir -p "$ws/.safedb" "$ws/policies" "$ws/none"
cd "$ws"
say "generating a log of $records records"
mkdir -p "$work/gen"
"$build/bench/audit/audit_gen_log" "$work/gen" "$records" >/dev/null
cp "$work/gen/audit.jsonl" .safedb/audit.jsonl
"$safedb" keys generate --out .safedb/id_ed25519 --principal bench@example.org \
  >"$work/bench_signer" 2>/dev/null
cat "$work/gen/allowed_signers" "$work/bench_signer" >.safedb/allowed_signers
cat >safedb.json <<'JSON'
{"targets": {"bench": {"dsn": "dbname=bench", "environment": "development"}},
 "signing": {"key": ".safedb/id_ed25519", "principal": "bench@example.org"}}
JSON
cat >policies/rehearse.json <<'JSON'
{"version": 1, "applies_to": {"environments": ["development"]},
 "rules": [{"id": "rehearse", "when": {"effects": ["data-loss"]},
            "require": {"dry_run": {"max_age": "4h"}}}]}
JSON
echo "DELETE FROM t WHERE id < 0;" >change.sql
cat .safedb/audit.jsonl >/dev/null  # in the page cache for every measurement

# timed CMD...: seconds of one command, which must succeed.
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$out/last.out" 2>"$out/last.err" || { cat "$out/last.err" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}'
}

"$safedb" dry-run change.sql --target bench >/dev/null 2>&1
[ ! -e .safedb/audit.jsonl.verified ] || { say "a mark exists before the first run"; exit 1; }
first=$(timed "$safedb" run change.sql --target bench)
[ -e .safedb/audit.jsonl.verified ] || { say "the first run left no verified mark"; exit 1; }
"$safedb" dry-run change.sql --target bench >/dev/null 2>&1
second=$(timed "$safedb" run change.sql --target bench)
no_policy=$(timed "$safedb" run change.sql --target bench --policies none)
audit=$(timed "$safedb" audit verify --log .safedb/audit.jsonl \
  --allowed-signers .safedb/allowed_signers)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "Machine: $cpu, $(nproc) cores; log of $records records ($(du -h .safedb/audit.jsonl | cut -f1))"
echo
echo "| command | seconds |"
echo "|---|---|"
echo "| \`safedb run\` under a dry-run gate, no verified mark yet | $first |"
echo "| the same run again, with the mark the first run left | $second |"
echo "| the same run under no policy (no evidence read) | $no_policy |"
echo "| \`safedb audit verify\` of the whole log | $audit |"
