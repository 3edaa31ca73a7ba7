#!/usr/bin/env bash
# `make test` (and so .ci/run): on a fresh Debian 12 machine, install what the tests need, run the
# static checks, then the whole pytest suite on SQLite and again on a throwaway PostgreSQL.
# Fails fast: the first failing step stops the run with its name and exit status.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# --- system packages -----------------------------------------------------------------------------
# apt is slow even when there is nothing to do; ask it only when one of the tools is missing.
missing_system_tools() {
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || return 0
    command -v redis-server >/dev/null 2>&1 || return 0
    [[ -x /usr/bin/chromium ]] || return 0
    command -v msgfmt >/dev/null 2>&1 || return 0
    command -v pdffonts >/dev/null 2>&1 || return 0
    command -v fc-list >/dev/null 2>&1 || return 0
    # Captured first: `grep -q` stopping early would fail fc-list with SIGPIPE under pipefail.
    local fonts
    fonts="$(fc-list)"
    grep -qi wqy <<<"$fonts" || return 0
    command -v dovecot >/dev/null 2>&1 || [[ -x /usr/sbin/dovecot ]] || return 0
    ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || return 0
    return 1
}
if missing_system_tools; then
    apt_install postgresql redis-server chromium fonts-wqy-microhei gettext poppler-utils dovecot-imapd \
        libpango-1.0-0 libpangoft2-1.0-0
else
    log "system packages present (postgresql, redis, chromium, wqy fonts, gettext, poppler, dovecot, pango)"
fi
ensure_npm
ensure_uv
python_deps
node_deps
compile_messages

# --- checks --------------------------------------------------------------------------------------
export DJANGO_SETTINGS_MODULE=config.settings.test
FAILED_STEP=""

step() {
    local name=$1 rc=0 started=$SECONDS
    shift
    log "$name"
    "$@" || rc=$?
    if ((rc != 0)); then
        FAILED_STEP=$name
        if ((rc == 5)) && [[ $name == pytest* ]]; then
            printf '\nFAILED: %s collected no tests (pytest exit 5)\n' "$name" >&2
        else
            printf '\nFAILED: %s (exit %s)\n' "$name" "$rc" >&2
        fi
        exit "$rc"
    fi
    printf '    ok: %s (%ss)\n' "$name" "$((SECONDS - started))" >&2
}

step "ruff check" uv run ruff check .
step "ruff format --check" uv run ruff format --check .
step "mypy" uv run mypy .
step "import-linter" uv run lint-imports
step "makemigrations --check" uv run python manage.py makemigrations --check --dry-run
if has_command export_openapi; then
    step "OpenAPI drift (export_openapi --check)" uv run python manage.py export_openapi --check
else
    log "OpenAPI drift check (skipped: export_openapi does not exist yet)"
fi

# pytest exits 5 when it collected nothing; `step` treats every non-zero status as a failure.
step "pytest on SQLite" uv run pytest -n 2

# The throwaway PostgreSQL is stopped however this script ends (failure, Ctrl-C, success).
cleanup() { bash "$ROOT/scripts/pg_throwaway.sh" stop || true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log "start throwaway PostgreSQL"
DATABASE_URL="$(bash "$ROOT/scripts/pg_throwaway.sh" start)"
export DATABASE_URL
step "pytest on PostgreSQL" uv run pytest -n 2

log "all checks passed"
