#!/usr/bin/env bash
# Builds the libFuzzer target (clang, ASan, UBSan) into build-fuzz/ and runs it
# for SECONDS (default 60) on a scratch copy of tests/fuzz/corpus/, so the
# repository stays clean.
#
# Exit status: 0 when the run found nothing; 1 on a crash, hang, leak or
# sanitizer report, with the saved input's path in the message; 77 when clang
# or libFuzzer is missing (ctest reports the test as skipped); 2 on a build
# failure.
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_ARTIFACTS (where
# failing inputs are saved, default build-fuzz/artifacts), FUZZ_JOBS (parallel
# fuzzing processes, default 1), FUZZ_KEEP_CORPUS=1 keeps the scratch corpus,
# FUZZ_LEAKS=0 turns leak detection off (about 3x more executions per second).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
artifacts=${FUZZ_ARTIFACTS:-$build/artifacts}
jobs=${FUZZ_JOBS:-1}

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS]" >&2
  exit 2
fi

skip() {
  echo "fuzz: SKIPPED: $1 (install clang and libclang-rt-14-dev, e.g. with scripts/setup-deps.sh)"
  exit 77
}
command -v clang >/dev/null || skip "clang not found"
command -v clang++ >/dev/null || skip "clang++ not found"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  >"$probe/probe.cpp"
clang++ -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" 2>/dev/null ||
  skip "clang++ cannot link -fsanitize=fuzzer (libFuzzer runtime missing)"

# Build.
log="$build/fuzz-build.log"
mkdir -p "$build"
if ! { CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DSAFEDB_FUZZ=ON -DSAFEDB_BUILD_TESTS=OFF &&
       cmake --build "$build" --target fuzz_analyse -j "$(nproc)"; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "fuzz: build failed; full log in $log" >&2
  exit 2
fi

# Run on a scratch corpus: new inputs the fuzzer finds go there, not into the repository.
work=$(mktemp -d "${TMPDIR:-/tmp}/safedb-fuzz.XXXXXX")
if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
  trap 'rm -rf "$probe"; echo "fuzz: corpus kept in $work"' EXIT
else
  trap 'rm -rf "$probe" "$work"' EXIT
fi
cp "$root"/tests/fuzz/corpus/* "$work/"
mkdir -p "$artifacts"
output="$build/fuzz-last.log"

fuzz_args=(-max_total_time="$seconds" -max_len=4096 -timeout=20 -rss_limit_mb=4096
           -dict="$root/tests/fuzz/sql.dict" -artifact_prefix="$artifacts/" -print_final_stats=1)
if [ "$jobs" -gt 1 ]; then
  fuzz_args+=(-jobs="$jobs" -workers="$jobs")
fi
rm -f "$build"/fuzz-[0-9]*.log
export ASAN_OPTIONS=detect_leaks="${FUZZ_LEAKS:-1}" UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Inputs that once made the target fail are replayed first, whole (no
# -max_len), so that what was fixed stays fixed.
replay="$build/fuzz-regressions.log"
if ! "$build/tests/fuzz/fuzz_analyse" "$root"/tests/fuzz/regressions/*.sql >"$replay" 2>&1; then
  grep -E 'ERROR: |runtime error:|^ *#[0-9]+ 0x|SUMMARY:|Running: ' "$replay" | head -n 30 >&2 || true
  echo "fuzz: FAILED replaying tests/fuzz/regressions; full output in $replay" >&2
  exit 1
fi
echo "fuzz: $(ls "$root"/tests/fuzz/regressions/*.sql | wc -l) regression inputs replayed"
echo "fuzz: running fuzz_analyse for ${seconds}s on $(ls "$work" | wc -l) seed inputs ($jobs job(s))"

status=0
(cd "$build" && "$build/tests/fuzz/fuzz_analyse" "${fuzz_args[@]}" "$work") >"$output" 2>&1 ||
  status=$?

grep -E '^stat::|^Done [0-9]+ runs|^#[0-9]+ *DONE' "$output" || true
if [ "$status" -ne 0 ] || grep -q -E '^==[0-9]+==ERROR|runtime error:|Test unit written to' "$output"; then
  grep -E 'ERROR: |runtime error:|^ *#[0-9]+ 0x|SUMMARY:' "$output" | head -n 30 >&2 || true
  crashes=$(grep -o 'Test unit written to .*' "$output" | sed 's/^Test unit written to //' || true)
  echo "fuzz: FAILED (fuzzer exit status $status); full output in $output" >&2
  for c in $crashes; do echo "fuzz: failing input saved to $c" >&2; done
  echo "fuzz: reproduce with: $build/tests/fuzz/fuzz_analyse FILE" >&2
  exit 1
fi
echo "fuzz: no crashes in ${seconds}s; corpus grew to $(ls "$work" | wc -l) inputs"
