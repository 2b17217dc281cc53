#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the demo and for maintenance scripts.
#   scripts/pg-scratch.sh start DIR   initdb into DIR (if empty) and start; prints PG* exports
#   scripts/pg-scratch.sh stop DIR    stop the server and delete DIR
# The server listens only on its own Unix socket folder (DIR/socket) and on
# 127.0.0.1 at a free port. As root, it runs as the unprivileged "postgres"
# account created by Debian's postgresql package, because initdb and postgres
# refuse to run as root.
set -euo pipefail

cmd=${1:?usage: pg-scratch.sh start|stop DIR}
dir=${2:?usage: pg-scratch.sh start|stop DIR}

bindir=${SAFEDB_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$bindir/initdb" ] || { echo "pg-scratch: no PostgreSQL server found (install postgresql)" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

case "$cmd" in
  start)
    mkdir -p "$dir/socket"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 2; }
    fi
    port=$(free_port)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-k $dir/socket -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" >/dev/null ||
      { cat "$dir/server.log" >&2; exit 2; }
    echo "export PGHOST=$dir/socket PGPORT=$port PGUSER=postgres PGDATABASE=postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: pg-scratch.sh start|stop DIR" >&2; exit 2 ;;
esac
