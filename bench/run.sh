#!/usr/bin/env bash
# Pangolin's benchmark: the one command. Builds the release server and the HTTP-ceiling server,
# provides wrk, PostgreSQL and the Python venv, then runs bench/bench.py once on PostgreSQL and
# once on SQLite. Prints markdown tables and saves them to bench/results/<timestamp>-<backend>.md.
#
# Usage: bash bench/run.sh [postgres] [sqlite]      (default: both, PostgreSQL first)
#
# Environment (all optional):
#   BENCH_DURATION=10   measured seconds per scenario     BENCH_WARMUP=2   warm-up seconds
#   BENCH_CONNECTIONS=16 connections for the concurrent scenarios
#   BENCH_THREADS=2     wrk threads for them (1 connection always uses 1 thread)
#   BENCH_ONLY=regex    run only the scenarios whose name matches (e.g. 'loadTable small')
#   BENCH_MAX_LOAD=0.5  before each backend, wait (up to BENCH_WAIT_LOAD seconds, default 600)
#                       until the 1-minute load average is below this; BENCH_MAX_LOAD= skips it
#   BENCH_PERF=1        also record perf profiles and write a breakdown (see bench/README.md)
#   BENCH_PANGOLIN_LOG, BENCH_PANGOLIN_STORE__MAX_CONNECTIONS   passed to the server
#   BENCH_NO_BUILD=1    use the release binaries (in $CARGO_TARGET_DIR or target/) as they are
#   BENCH_KEEP=1        keep the work directory (server logs, data, wrk logs) under /tmp
#   HARNESS=.harness    where tests/harness/install.sh put the Python venv
#
# Not run by CI: it takes about 10 minutes and needs a quiet machine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
HARNESS=${HARNESS:-$ROOT/.harness}
export BENCH_WORK=${BENCH_WORK:-$(mktemp -d /tmp/pangolin-bench.XXXXXX)}

log() { echo "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Stops every process bench.py started (it records their pids) and removes the work directory.
driver=
cleanup() {
    local status=$? pidfile
    if [[ -n "$driver" ]] && kill -0 "$driver" 2>/dev/null; then
        kill -TERM "$driver" 2>/dev/null || true
        wait "$driver" 2>/dev/null || true
    fi
    for pidfile in "$BENCH_WORK"/pids/*; do
        [[ -e "$pidfile" ]] || continue
        kill -TERM "$(basename "$pidfile")" 2>/dev/null || true
    done
    if [[ -n "${BENCH_KEEP:-}" ]]; then
        log "kept the work directory $BENCH_WORK"
    else
        rm -rf "$BENCH_WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

backends=("$@")
((${#backends[@]})) || backends=(postgres sqlite)
for b in "${backends[@]}"; do
    [[ "$b" == postgres || "$b" == sqlite ]] || die "unknown backend '$b' (postgres, sqlite)"
done

# --- load generator: wrk from Debian (the Lua scripts in bench/wrk need it, see bench/README.md)
if ! command -v wrk >/dev/null; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        log "installing wrk (apt-get)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >&2 \
            || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >&2; }
    else
        die "wrk is not installed: apt-get install wrk (as root)"
    fi
fi

# --- Python with `requests` (the e2e harness venv)
PY=$HARNESS/venv/bin/python
if ! "$PY" -c 'import requests' 2>/dev/null; then
    log "installing the harness venv into $HARNESS"
    HARNESS=$HARNESS bash tests/harness/install.sh >&2
fi

# --- binaries
if [[ -z "${BENCH_NO_BUILD:-}" ]]; then
    log "building the release pangolin and pangolin-bench-ceiling"
    cargo build --release --bin pangolin --bin pangolin-bench-ceiling >&2
fi
# Where cargo put them (CARGO_TARGET_DIR, as CI sets it, or ./target).
RELEASE=${CARGO_TARGET_DIR:-$ROOT/target}/release
export PANGOLIN_BIN=$RELEASE/pangolin CEILING_BIN=$RELEASE/pangolin-bench-ceiling
[[ -x "$PANGOLIN_BIN" && -x "$CEILING_BIN" ]] || die "missing release binaries (unset BENCH_NO_BUILD)"

# --- PostgreSQL (each run uses a fresh schema, dropped at the end)
if [[ " ${backends[*]} " == *" postgres "* ]]; then
    if [[ -z "${PANGOLIN_TEST_POSTGRES_URL:-}" ]]; then
        line=$(bash scripts/postgres.sh) || die "PostgreSQL is not available (scripts/postgres.sh failed)"
        export "${line?}"
    fi
    log "PostgreSQL: ${PANGOLIN_TEST_POSTGRES_URL%%@*}@***"
fi

"$PY" bench/bench.py "${backends[@]}" &
driver=$!
wait "$driver"
