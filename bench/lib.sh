# Shared by the bench scripts; sourced after they set `root` (the checkout),
# `out` (their output folder, which exists) and `build` (the build folder).
#
# Every script builds into the same folder with the same configuration
# (Release, the bench helpers on, no tests), so that running one after
# another rebuilds only what changed. BENCH_BUILD_TYPE overrides the type.

say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

# bench_build TARGET...: installs the dependencies (Debian packages) and
# builds the targets; exits 2 with the end of the build log on failure.
bench_build() {
  bash "$root/scripts/setup-deps.sh" >&2
  local type=${BENCH_BUILD_TYPE:-Release}
  say "building $* ($type) in $build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="$type" -DSAFEDB_BENCH=ON \
    -DSAFEDB_BUILD_TESTS=OFF >"$out/cmake.log" 2>&1 || { cat "$out/cmake.log" >&2; exit 2; }
  cmake --build "$build" -j "$(nproc)" --target "$@" >"$out/build.log" 2>&1 ||
    { tail -n 50 "$out/build.log" >&2; exit 2; }
}

# bench_cluster: starts a throwaway PostgreSQL (scripts/pg-scratch.sh) in a
# new folder $work, exports its PG* variables (PGDATABASE unset), and stops
# it and removes $work when the script exits.
bench_cluster() {
  work=$(mktemp -d /tmp/safedb-bench.XXXXXX)
  chmod 711 "$work"
  trap 'bash "$root/scripts/pg-scratch.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  eval "$(bash "$root/scripts/pg-scratch.sh" start "$work/pg")"
  unset PGDATABASE
}
