#!/usr/bin/env bash
# Configures and builds safedb and its tests into build/ (BUILD_DIR overrides).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$root/.deps/cmake.log" 2>&1 ||
  { cat "$root/.deps/cmake.log" >&2; exit 2; }
grep -E "safedb: |WARNING" "$root/.deps/cmake.log" | sed 's/^-- //' || true
cmake --build "$build" -j "$(nproc)"
