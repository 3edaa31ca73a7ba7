#!/usr/bin/env bash
# `make run`: the embedded profile (DESIGN "Running it") in one command on a fresh Debian 12 machine.
# Installs what is missing, prepares the SQLite database with demo data, then supervises three
# processes -- web (runserver), Celery worker and Celery beat on the filesystem broker -- until
# Ctrl-C, which stops all of them and everything they spawned.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# manage.py and config/celery.py default to this too; exported so every child agrees.
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.local}"
HOST=127.0.0.1
PORT="${WEIBAO_RUN_PORT:-8000}"

# --- setup -------------------------------------------------------------------------------------
ensure_msgfmt
ensure_pdf_libraries
ensure_npm
ensure_uv
python_deps
node_deps
compile_messages

log "collectstatic"
uv run python manage.py collectstatic --noinput -v 0
log "migrate"
uv run python manage.py migrate --noinput
if has_command load_demo_data; then
    log "load_demo_data"
    uv run python manage.py load_demo_data
    log "load_demo_items"
    uv run python manage.py load_demo_items
    log "load_demo_stock"
    uv run python manage.py load_demo_stock
    log "load_demo_tools"
    uv run python manage.py load_demo_tools
    log "load_demo_returns"
    uv run python manage.py load_demo_returns
    log "load_demo_work_orders"
    uv run python manage.py load_demo_work_orders
    log "load_demo_plans"
    uv run python manage.py load_demo_plans
else
    log "load_demo_data (skipped: the command does not exist yet)"
fi

# The filesystem broker (config/settings/base.py) reads and writes these folders; kombu does not
# create them and the worker would fail on its first poll.
VAR_DIR="${WEIBAO_VAR_DIR:-$ROOT/var}"
mkdir -p "$VAR_DIR/broker/queue" "$VAR_DIR/broker/processed"

# Fail now, with a clear message, rather than after the worker and beat have started.
if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
    die "something is already listening on $HOST:$PORT; stop it or set WEIBAO_RUN_PORT"
fi

# --- supervision -------------------------------------------------------------------------------
# Each child runs in its own session (setsid) so that it and everything under it -- uv's child
# python, Celery's pool processes -- form one process group we can signal as a unit. Without
# that, killing `uv run` could leave the real server running. A child started in the background
# by a non-job-control shell is never a group leader, so setsid does not fork and $! is both the
# pid and the process group id.
declare -A NAMES=()
PIDS=()

start() {
    local name=$1
    shift
    setsid "$@" &
    PIDS+=("$!")
    NAMES[$!]=$name
    printf '[run] started %s (pid %s): %s\n' "$name" "$!" "$*" >&2
}

group_alive() { kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null; }

STOPPING=""
stop_all() {
    [[ -n $STOPPING ]] && return 0
    STOPPING=1
    trap - INT TERM
    local pid deadline
    printf '\n[run] stopping %s\n' "${NAMES[*]}" >&2
    # TERM to each leader (`uv run`, which passes it on to its python): runserver exits, the Celery
    # worker finishes its current task and stops its own pool (warm shutdown), beat saves its
    # schedule. Not to the whole group: Celery's pool processes must be stopped by their parent.
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    deadline=$((SECONDS + 20))
    for pid in "${PIDS[@]}"; do
        while group_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
        # Whatever is left in the group (a hung server, an orphaned pool process) is killed.
        if group_alive "$pid"; then
            printf '[run] %s did not stop in time; killing its process group\n' "${NAMES[$pid]}" >&2
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    # Reap, so no zombie outlives us and the exit status is not left pending.
    wait 2>/dev/null || true
    printf '[run] stopped\n' >&2
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

start web uv run python manage.py runserver "$HOST:$PORT" --noreload
start worker uv run celery -A config worker -l info --concurrency 2
start beat uv run celery -A config beat -l info

# Tell the person when the site actually answers (migrations and imports take a few seconds).
if uv run python scripts/wait_http.py "http://$HOST:$PORT/healthz" 60; then
    printf '\n[run] Weibao is running on http://%s:%s/ -- press Ctrl-C to stop\n\n' "$HOST" "$PORT" >&2
else
    printf '\n[run] http://%s:%s/healthz did not answer; see the output above\n' "$HOST" "$PORT" >&2
fi

# Any child exiting on its own is a failure of the whole: stop the others and report it.
rc=0
wait -n "${PIDS[@]}" || rc=$?
for pid in "${PIDS[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
        printf '[run] %s exited (status %s); stopping the others\n' "${NAMES[$pid]}" "$rc" >&2
        break
    fi
done
stop_all
exit $((rc == 0 ? 1 : rc))
