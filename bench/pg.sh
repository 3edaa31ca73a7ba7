#!/usr/bin/env bash
# A PostgreSQL for the benchmark: `bench/pg.sh start|stop|destroy|url|status`.
#
# Unlike scripts/pg_throwaway.sh (tests: fsync off, deleted on stop) this cluster keeps its data
# between `stop` and `start` -- loading 1,000,000 tickets takes minutes, measuring is repeated --
# and runs with production durability (fsync, synchronous_commit and full_page_writes on) and
# memory settings sized for the machine, so the create-throughput figure includes real commits.
# It listens on 127.0.0.1:$BENCH_PG_PORT only; `stop` stops it by the postmaster's pid.
set -euo pipefail

PORT="${BENCH_PG_PORT:-54331}"
BASE="${BENCH_PG_DIR:-/var/tmp/weibao-bench-pg}"
DATA="$BASE/data"
SOCK="$BASE/run"
LOG="$BASE/postgres.log"
USER_NAME=weibao
PASSWORD=weibao
DB=weibao_bench

pg_bin() {
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
    [[ -n $dir && -x $dir/initdb ]] || {
        echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2
        exit 1
    }
    printf '%s\n' "$dir"
}

as_postgres() { (cd / && runuser -u postgres -- "$@"); }
url() { printf 'postgres://%s:%s@127.0.0.1:%s/%s\n' "$USER_NAME" "$PASSWORD" "$PORT" "$DB"; }
postmaster_pid() { [[ -f $DATA/postmaster.pid ]] && head -n 1 "$DATA/postmaster.pid" || true; }

running() {
    local pid
    pid="$(postmaster_pid)"
    [[ -n $pid ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]]
}

stop() {
    local pid
    if running; then
        pid="$(postmaster_pid)"
        kill -INT "$pid" # fast shutdown
        for _ in $(seq 300); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        echo "stopped benchmark PostgreSQL (pid $pid)" >&2
    fi
}

start() {
    local bin mem_mb
    bin="$(pg_bin)"
    if running; then
        echo "benchmark PostgreSQL already running (pid $(postmaster_pid))" >&2
        url
        return
    fi
    if [[ ! -f $DATA/PG_VERSION ]]; then
        mkdir -p "$DATA" "$SOCK"
        chown -R postgres:postgres "$BASE"
        chmod 700 "$BASE" "$DATA"
        printf '%s\n' "$PASSWORD" >"$BASE/pwfile"
        chown postgres:postgres "$BASE/pwfile"
        as_postgres "$bin/initdb" -D "$DATA" -U postgres --pwfile="$BASE/pwfile" --auth-local=trust \
            --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$BASE/initdb.log" 2>&1 || {
            cat "$BASE/initdb.log" >&2
            exit 1
        }
        rm -f "$BASE/pwfile"
        # A quarter of RAM for shared buffers, the usual starting point for a dedicated server.
        mem_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024))
        cat >>"$DATA/postgresql.conf" <<CONF
# --- weibao benchmark (bench/pg.sh) ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
max_connections = 100
shared_buffers = $((mem_mb / 4))MB
effective_cache_size = $((mem_mb / 2))MB
work_mem = 16MB
maintenance_work_mem = 1GB
max_wal_size = 8GB
checkpoint_completion_target = 0.9
random_page_cost = 1.1
effective_io_concurrency = 200
jit = off
CONF
        NEW=1
    fi
    mkdir -p "$SOCK"
    chown postgres:postgres "$SOCK"
    as_postgres "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 120 start >/dev/null || {
        cat "$LOG" >&2
        exit 1
    }
    if [[ -n ${NEW:-} ]]; then
        as_postgres "$bin/psql" -h "$SOCK" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<SQL
CREATE ROLE $USER_NAME LOGIN PASSWORD '$PASSWORD';
CREATE DATABASE $DB OWNER $USER_NAME;
SQL
    fi
    echo "benchmark PostgreSQL (pid $(postmaster_pid)) on 127.0.0.1:$PORT, data in $DATA" >&2
    url
}

case "${1:-}" in
start) start ;;
stop) stop ;;
destroy)
    stop
    rm -rf "$BASE"
    ;;
url) url ;;
status) running && echo "running (pid $(postmaster_pid))" || echo "stopped" ;;
psql)
    shift
    as_postgres "$(pg_bin)/psql" -h "$SOCK" -p "$PORT" -U postgres -d "$DB" "$@"
    ;;
*)
    echo "usage: $0 start|stop|destroy|url|status|psql [args]" >&2
    exit 2
    ;;
esac
