# shellcheck shell=bash
# Shared helpers for scripts/run_embedded.sh and scripts/test_all.sh. Sourced, not executed.
#
# Everything here must work on a fresh Debian 12 machine (as root, or with sudo) that reaches only
# the Debian, PyPI and npm registries, and must be cheap on a machine that already has it all:
# each installer checks first and does nothing when the tool is there.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION="0.13.8"

# `uv run` would re-lock when pyproject.toml and uv.lock disagree and silently rewrite uv.lock;
# the scripts must run exactly what is locked, like `uv sync --frozen`.
export UV_FROZEN=1

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

_APT_UPDATED=""
_POLICY_RC_CREATED=""

# Install Debian packages. `apt-get update` runs at most once per script run.
apt_install() {
    (($# > 0)) || return 0
    export DEBIAN_FRONTEND=noninteractive
    # Keep apt from starting the distribution's postgresql/redis/dovecot services: the tests start
    # their own throwaway servers on loopback, and a system service would outlive the run and hold
    # ports. Only done when no policy is installed already (containers often have one).
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
        _POLICY_RC_CREATED=1
    fi
    if [[ -z $_APT_UPDATED ]]; then
        log "apt-get update"
        as_root apt-get update
        _APT_UPDATED=1
    fi
    log "apt-get install $*"
    local rc=0
    as_root apt-get install -y --no-install-recommends "$@" || rc=$?
    if [[ -n $_POLICY_RC_CREATED ]]; then
        as_root rm -f /usr/sbin/policy-rc.d
        _POLICY_RC_CREATED=""
    fi
    return "$rc"
}

# uv, pinned. Installed with pip into the machine's default interpreter (DESIGN: Python >= 3.11).
ensure_uv() {
    if command -v uv >/dev/null 2>&1; then
        return 0
    fi
    command -v python3 >/dev/null 2>&1 || apt_install python3
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    log "pip install uv==$UV_VERSION"
    # Debian's own python3 is "externally managed" (PEP 668) and refuses a plain pip install;
    # uv is a single self-contained binary, so installing it system-wide is harmless.
    python3 -m pip install --quiet "uv==$UV_VERSION" ||
        python3 -m pip install --quiet --break-system-packages "uv==$UV_VERSION"
    hash -r
    if ! command -v uv >/dev/null 2>&1; then
        # pyenv needs a rehash to expose the new binary; pip's --user scheme lands in ~/.local/bin.
        command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
        export PATH="$HOME/.local/bin:/usr/local/bin:$PATH"
        hash -r
    fi
    command -v uv >/dev/null 2>&1 || die "uv was installed but is not on PATH"
}

ensure_npm() {
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
}

ensure_msgfmt() {
    command -v msgfmt >/dev/null 2>&1 || apt_install gettext
}

# Service reports (WeasyPrint): Pango for layout and a CJK font to embed (DESIGN "PDF").
ensure_pdf_libraries() {
    local fonts=""
    command -v fc-list >/dev/null 2>&1 && fonts="$(fc-list)"
    if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || ! grep -qi wqy <<<"$fonts"; then
        apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei fontconfig
    fi
}

python_deps() {
    log "uv sync --frozen"
    (cd "$ROOT" && uv sync --frozen)
}

# `npm ci` wipes and reinstalls node_modules every time (~10 s); skip it when the lock file has not
# changed since the last successful install, recorded as a hash inside node_modules.
node_deps() {
    local stamp="$ROOT/node_modules/.weibao-lock.sha256" want
    want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
    if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
        log "npm ci (skipped: node_modules matches package-lock.json)"
    else
        log "npm ci"
        (cd "$ROOT" && npm ci --no-audit --no-fund)
        printf '%s\n' "$want" >"$stamp"
    fi
    log "copy front-end assets into static/vendor"
    (cd "$ROOT" && uv run python scripts/copy_assets.py)
}

# compilemessages refuses to run when there is no locale/ directory at all (it would be a
# CommandError), so only call it when the project has a catalogue.
compile_messages() {
    local po
    po="$(cd "$ROOT" && find . \( -path ./.venv -o -path ./node_modules -o -path ./var -o -path ./.git \) -prune \
        -o -name '*.po' -path '*/locale/*' -print -quit)"
    if [[ -z $po ]]; then
        log "compilemessages (skipped: no .po catalogue yet)"
        return 0
    fi
    log "compilemessages"
    (cd "$ROOT" && uv run python manage.py compilemessages --ignore=.venv --ignore=node_modules)
}

# True when manage.py lists the command. `help --commands` lists command modules without importing
# them, so a command that exists but is broken still gets called (and fails loudly) instead of being
# skipped as missing.
has_command() {
    local commands
    # Captured first: `grep -q` closing the pipe early could fail the writer under pipefail.
    commands="$(cd "$ROOT" && uv run python manage.py help --commands)" || return 1
    grep -qx "$1" <<<"$commands"
}
