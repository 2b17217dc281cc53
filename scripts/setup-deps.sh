#!/usr/bin/env bash
# Installs everything safedb needs to build, test and run its demo on Debian 12
# (bookworm): Debian packages through apt, plus libpg_query built for the
# PostgreSQL 17 grammar, taken from Debian trixie's package into .deps/.
#
# Idempotent and quiet when nothing is missing. Must run as root (or with sudo
# available) the first time on a fresh machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
deps="$root/.deps"

packages=(
  build-essential cmake pkg-config git
  libcli11-dev libpq-dev nlohmann-json3-dev libfmt-dev catch2 libssl-dev
  libprotobuf-c-dev          # headers for libpg_query's scanner output
  libpg-query-dev            # PG15 grammar: fallback when the PG17 build cannot be had
  postgresql postgresql-contrib   # server, pg_dump/pg_restore, amcheck for tests and demo
  openssh-client             # ssh-keygen, for signature interoperability
  clang libclang-rt-14-dev   # libFuzzer
  jq xxd util-linux openssl  # stock tools used by the documented audit procedure and tests
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup-deps: need root to run: $*" >&2; exit 2; fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libpg_query with the PostgreSQL 17 grammar. bookworm ships only the PG15
# grammar, which rejects PG16/17 syntax; trixie's package is a static library
# that links on bookworm. A private apt state under .deps/ keeps /etc untouched.
pgq="$deps/pg_query17"
if [ ! -f "$pgq/usr/lib/x86_64-linux-gnu/libpg_query.a" ] && [ ! -f "$pgq/.unavailable" ]; then
  apt_dir="$deps/apt-trixie"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$pgq"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    >"$apt_dir/sources.list"
  opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
        -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root)
  if apt-get -qq "${opts[@]}" update >/dev/null 2>&1 &&
     (cd "$apt_dir" && apt-get -qq "${opts[@]}" download libpg-query-dev >/dev/null 2>&1); then
    deb=$(ls "$apt_dir"/libpg-query-dev_*.deb | head -n 1)
    dpkg -x "$deb" "$pgq"
    basename "$deb" | sed -e 's/^libpg-query-dev_//' -e 's/_.*//' >"$pgq/VERSION"
    echo "setup-deps: libpg_query $(cat "$pgq/VERSION") (PostgreSQL 17 grammar) in .deps/"
  else
    touch "$pgq/.unavailable"
    echo "setup-deps: WARNING: libpg_query for the PostgreSQL 17 grammar could not be fetched;" >&2
    echo "setup-deps: building against the system's PostgreSQL 15 grammar (libpg-query-dev)." >&2
  fi
fi
