#!/usr/bin/env bash
# The test command of the README: installs what is missing, builds, and runs
# the whole suite. Tests that need PostgreSQL start a throwaway server
# themselves (initdb in a temporary folder, own socket and port).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-deps.sh"
"$root/scripts/build.sh"
cd "${BUILD_DIR:-$root/build}"
ctest --output-on-failure "$@"
