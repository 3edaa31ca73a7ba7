#!/usr/bin/env bash
# A throwaway PostgreSQL for the test suite: `pg_throwaway.sh start|stop|url`.
#
# start: a fresh cluster (initdb) listening only on 127.0.0.1:$PG_PORT with its unix socket inside
#        the data folder, fsync off (the data is thrown away), a `weibao` role that may create the
#        per-worker test databases pytest-django makes, and a `weibao` database. Prints DATABASE_URL.
# stop:  stops it by the postmaster's pid (fast shutdown, then SIGKILL if it hangs) and removes it.
# Never touches the distribution's own cluster (port 5432).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PG_PORT="${PG_PORT:-54329}"
PG_USER=weibao
PG_PASSWORD=weibao
PG_DB=weibao

# initdb and postgres refuse to run as root, so the cluster belongs to the `postgres` OS user
# (created by Debian's postgresql package). It must be able to reach var/; a checkout under a
# private home directory (mode 700) is not reachable, so fall back to /tmp there. Same for a path
# too long for the unix socket (sun_path holds 107 bytes, "run/.s.PGSQL.54329" included).
base_dir() {
    local want="$ROOT/var/test-pg"
    mkdir -p "$ROOT/var"
    if ((${#want} <= 80)) && runuser -u postgres -- test -x "$ROOT/var" 2>/dev/null; then
        printf '%s\n' "$want"
    else
        printf '/tmp/weibao-test-pg-%s\n' "$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
    fi
}

pg_bin() {
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
    [[ -n $dir && -x $dir/initdb ]] || {
        echo "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)" >&2
        exit 1
    }
    printf '%s\n' "$dir"
}

as_postgres() { (cd / && runuser -u postgres -- "$@"); }

BASE="$(base_dir)"
DATA="$BASE/data"
SOCK="$BASE/run"
LOG="$BASE/postgres.log"

postmaster_pid() {
    [[ -f $DATA/postmaster.pid ]] && head -n 1 "$DATA/postmaster.pid" || true
}

url() { printf 'postgres://%s:%s@127.0.0.1:%s/%s\n' "$PG_USER" "$PG_PASSWORD" "$PG_PORT" "$PG_DB"; }

stop() {
    local pid
    pid="$(postmaster_pid)"
    # The pid file may be stale and the number reused: only signal it if it is a postgres.
    if [[ -n $pid ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]]; then
        # SIGINT is PostgreSQL's "fast" shutdown: abort transactions, close connections, exit.
        kill -INT "$pid"
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "PostgreSQL (pid $pid) ignored fast shutdown; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            # Backends notice the postmaster is gone and exit on their own; give them a moment.
            sleep 1
        fi
        echo "stopped throwaway PostgreSQL (pid $pid)" >&2
    fi
    rm -rf "$BASE"
}

start() {
    local bin pid
    bin="$(pg_bin)"
    id postgres >/dev/null 2>&1 || { echo "no 'postgres' OS user (apt-get install postgresql)" >&2; exit 1; }
    # A previous run that was killed hard may have left its server behind.
    stop
    mkdir -p "$DATA" "$SOCK"
    chown -R postgres:postgres "$BASE"
    chmod 700 "$BASE" "$DATA"

    local pwfile="$BASE/pwfile"
    printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    chown postgres:postgres "$pwfile"
    # Unix-socket connections (only the postgres user and root can reach the socket folder) are
    # trusted; TCP on loopback needs the password, like production.
    as_postgres "$bin/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$BASE/initdb.log" 2>&1 || {
        cat "$BASE/initdb.log" >&2
        exit 1
    }
    rm -f "$pwfile"

    # fsync/full_page_writes/synchronous_commit off: a test database never needs crash safety.
    as_postgres "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$SOCK \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
        >/dev/null || {
        cat "$LOG" >&2
        exit 1
    }
    pid="$(postmaster_pid)"

    as_postgres "$bin/psql" -h "$SOCK" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<SQL
CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
CREATE DATABASE $PG_DB OWNER $PG_USER;
SQL
    echo "started throwaway PostgreSQL (pid $pid) on 127.0.0.1:$PG_PORT, data in $DATA" >&2
    url
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) url ;;
*)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
