#!/usr/bin/env bash
# Compares `safedb check` with libpg_query's raw parser on generated migration
# files and prints a Markdown table (median wall time of RUNS runs, after one
# warm-up run each).
#
# usage: bench/check_vs_parse.sh [RUNS]      (default 7; the two commands alternate)
# Environment: BENCH_SIZES (default "2M 8M"), BENCH_BUILD_DIR (default build-bench),
# BENCH_SEED (default 17).
#
# Both commands are timed as whole processes, reading the file from disk:
#   safedb check --format json --fail-on none FILE >/dev/null
#   bench_raw_parse FILE
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-7}
sizes=${BENCH_SIZES:-2M 8M}
build=${BENCH_BUILD_DIR:-$root/build-bench}
seed=${BENCH_SEED:-17}
out="$root/bench/out"

if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ]; then
  echo "usage: bench/check_vs_parse.sh [RUNS]" >&2
  exit 2
fi
command -v python3 >/dev/null || { echo "check_vs_parse: python3 is required" >&2; exit 2; }

mkdir -p "$out"
. "$root/bench/lib.sh"
bench_build safedb bench_raw_parse

files=()
for size in $sizes; do
  file="$out/migrations-$size.sql"
  python3 "$root/bench/gen_migrations.py" --seed "$seed" "$size" "$file" 2>/dev/null
  files+=("$file")
done

python3 - "$runs" "$build/safedb" "$build/bench/bench_raw_parse" "${files[@]}" <<'PY'
import os, re, resource, statistics, subprocess, sys, time

runs, safedb, raw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
files = sys.argv[4:]
MiB = 1024 * 1024

def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

def timed(cmd, keep_output=False):
    """Runs cmd; returns (wall seconds, CPU seconds in user+sys, stdout). Unless
    keep_output, stdout goes to /dev/null, as in the commands above: a report
    read through a pipe would time the reader too."""
    cpu_before = cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.PIPE if keep_output else subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    cpu = cpu_of_children() - cpu_before
    if done.returncode != 0:
        sys.exit("check_vs_parse: %s exited %d: %s" % (" ".join(cmd), done.returncode,
                                                       done.stderr.decode(errors="replace").strip()))
    return wall, cpu, done.stdout.decode() if keep_output else ""

def paired(a, b):
    """Runs a and b alternately, runs times each after one warm-up run of each
    (page cache, dynamic loader), so that a change in the machine's load falls
    on both alike. Returns (a wall, a CPU, b wall, b CPU, paired wall ratios)."""
    timed(a)
    timed(b)
    sa, sb = [], []
    for _ in range(runs):
        sa.append(timed(a))
        sb.append(timed(b))
    med = lambda samples, i: statistics.median(s[i] for s in samples)
    return (med(sa, 0), med(sa, 1), med(sb, 0), med(sb, 1),
            sorted(y[0] / x[0] for x, y in zip(sa, sb)))

print("| Input | Size (MiB) | Statements | Command | Median wall (s) | Median CPU (s) | MiB/s | Statements/s | check / raw (wall) | check / raw (CPU) |")
print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
notes = []
for path in files:
    name = os.path.basename(path)
    size = os.path.getsize(path) / MiB
    line = timed([raw, "--repeat", "3", path], keep_output=True)[2]
    statements = int(re.search(r"statements=(\d+)", line).group(1))
    in_process = float(re.search(r"parse_seconds=([0-9.]+)", line).group(1))
    raw_wall, raw_cpu, check_wall, check_cpu, ratios = paired(
        [raw, path], [safedb, "check", "--format", "json", "--fail-on", "none", path])
    rows = (("raw libpg_query parse", raw_wall, raw_cpu, "", ""),
            ("safedb check", check_wall, check_cpu,
             "**%.1f×**" % (check_wall / raw_wall), "%.1f×" % (check_cpu / max(raw_cpu, 1e-6))))
    for label, wall, cpu, ratio_wall, ratio_cpu in rows:
        print("| %s | %.2f | %d | %s | %.3f | %.3f | %.1f | %.0f | %s | %s |" % (
            name, size, statements, label, wall, cpu, size / wall, statements / wall, ratio_wall,
            ratio_cpu))
    notes.append("%s: check / raw of each pair of runs (wall): median %.2f×, %.2f×–%.2f×"
                 % (name, statistics.median(ratios), ratios[0], ratios[-1]))
    notes.append("%s: pg_query_raw_parse alone, in process, fastest of 3: %.3f s (%.1f MiB/s)"
                 % (name, in_process, size / in_process))
print()
print("%d runs per command, alternating with the other command, after one warm-up run each."
      " MiB/s and statements/s use the median wall time; CPU is user+sys of the process." % runs)
for n in notes:
    print("- " + n)
PY
