#!/usr/bin/env bash
# Benchmark of the audit log: generates a log of RECORDS records (default
# 1,000,000) with a witnessed checkpoint every 100,000, times
# `safedb audit verify` on it, and compares with the limit on this machine:
# SHA-256 over the log's bytes plus one Ed25519 verification per signature,
# done by OpenSSL alone with the same number of threads. Also times single
# durable appends. Results go to stdout; the log stays in bench/out/audit/.
#
#   bash bench/audit_verify.sh            RECORDS=100000 bash bench/audit_verify.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# RelWithDebInfo (-O2 with symbols, for perf), in a folder of its own so that
# the Release folder of the other benchmarks is not rebuilt each time.
build=${BUILD_DIR:-$root/build-bench-debinfo}
records=${RECORDS:-1000000}
threads=${THREADS:-$(nproc)}
out=$root/bench/out/audit
mkdir -p "$out"
. "$root/bench/lib.sh"
BENCH_BUILD_TYPE=${BENCH_BUILD_TYPE:-RelWithDebInfo} \
  bench_build safedb audit_gen_log audit_verify_limit audit_append_bench

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

if [ "$(cat "$out/records" 2>/dev/null)" != "$records" ]; then
  echo "generating $records records..."
  t0=$(now)
  "$build/bench/audit/audit_gen_log" "$out" "$records" >/dev/null
  echo "$records" >"$out/records"
  echo "  generated in $(elapsed "$t0" "$(now)") s"
fi
bytes=$(stat -c %s "$out/audit.jsonl")

# Warm the page cache so both sides read from memory.
cat "$out/audit.jsonl" >/dev/null

t0=$(now)
"$build/safedb" audit verify --log "$out/audit.jsonl" --allowed-signers "$out/allowed_signers" \
  --witness "$out/witness.jsonl" --threads "$threads" >"$out/verify.txt"
verify_seconds=$(elapsed "$t0" "$(now)")
tail -n 2 "$out/verify.txt"

limit=$("$build/bench/audit/audit_verify_limit" "$out/audit.jsonl" "$records" "$threads")
limit_seconds=$(printf '%s\n' "$limit" | sed -E 's/.*total_seconds=([0-9.]+).*/\1/')
append=$("$build/bench/audit/audit_append_bench" "$out" 200)

cat <<REPORT

machine:   $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(openssl version | cut -d' ' -f1,2)
log:       $records records, $bytes bytes, $threads threads
verify:    $verify_seconds s  = $(rate "$records" "$verify_seconds") records/s = $(rate "$records" "$verify_seconds") signatures/s (plus $(grep -c . "$out/witness.jsonl") witness notes)
limit:     $limit_seconds s  = $(rate "$records" "$limit_seconds") signatures/s  ($limit)
ratio:     $(awk -v a="$verify_seconds" -v b="$limit_seconds" 'BEGIN { printf "%.2f", a / b }') x the limit (goal: at most 1.5)
append:    $append (one durable append: flock, tail re-read, sign, write, fsync)
REPORT
