#!/usr/bin/env bash
# THE test command: formatting, lints, every Rust test (against SQLite, memory and PostgreSQL),
# then the end-to-end suites. README and CI both run exactly this.
#
#   bash scripts/test.sh
#
# Services the tests need are provided when not given: PostgreSQL by scripts/postgres.sh (or set
# PANGOLIN_TEST_POSTGRES_URL), the emulators moto and fake-gcs-server and the OIDC provider oidc-cc
# from tests/harness (or set PANGOLIN_TEST_S3_ENDPOINT, PANGOLIN_TEST_GCS_ENDPOINT,
# PANGOLIN_TEST_OIDC_ISSUER). A service that cannot be provided makes its tests skip visibly,
# except in CI (CI=true), where it fails the run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

START=$SECONDS
PHASE_START=$SECONDS
PHASE=""

begin() {
    PHASE=$1
    PHASE_START=$SECONDS
    echo
    echo "==> $PHASE"
}

end() {
    echo "<== $PHASE: $((SECONDS - PHASE_START))s"
}

in_ci() { [[ "${CI:-}" == true ]]; }

export HARNESS=${HARNESS:-$PWD/.harness}
STARTED_SERVICES=()

# Names a failing phase, and stops only the emulators this run started.
on_exit() {
    local rc=$?
    if ((${#STARTED_SERVICES[@]})); then
        tests/harness/services.sh stop "${STARTED_SERVICES[@]}" >/dev/null || true
    fi
    if [[ $rc -ne 0 ]]; then
        echo "FAILED in phase: ${PHASE:-setup} (after $((SECONDS - START))s)" >&2
    fi
}
trap on_exit EXIT

# Loud, because a skipped suite is easy to miss in a green run.
warn_skipping() {
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "!! WARNING: $1" >&2
    echo "!! The tests that need it will be SKIPPED. $2" >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
}

ensure_postgres() {
    if [[ -n "${PANGOLIN_TEST_POSTGRES_URL:-}" ]]; then
        echo "using PANGOLIN_TEST_POSTGRES_URL from the environment"
        return
    fi
    local line
    if line=$(bash scripts/postgres.sh); then
        export "${line?}"
        echo "PostgreSQL ready: ${PANGOLIN_TEST_POSTGRES_URL%%:*}://…@${PANGOLIN_TEST_POSTGRES_URL#*@}"
    elif in_ci; then
        echo "CI=true and no PostgreSQL could be provided: failing" >&2
        return 1
    else
        warn_skipping "no PostgreSQL available." \
            "Install postgresql or set PANGOLIN_TEST_POSTGRES_URL."
    fi
}

# Emulators from the vendored harness (tests/harness): storage for the object-storage tests, and
# oidc-cc (an OpenID Connect provider with the client_credentials grant) for the authentication
# tests. Add a service here when a suite needs one, exporting the variable its tests read. (The
# credential-vending suite also starts its own moto, with IAM enforcement, and its own Azurite
# over TLS with a certificate it trusts, from the same harness install.)
ensure_emulator() {
    local name=$1 var=$2 url=$3
    if [[ -n "${!var:-}" ]]; then
        echo "using $var from the environment"
        return
    fi
    local already_running=false
    tests/harness/services.sh status "$name" >/dev/null 2>&1 && already_running=true
    if tests/harness/services.sh start "$name"; then
        $already_running || STARTED_SERVICES+=("$name")
        export "$var=$url"
        echo "$name ready: $url"
    elif in_ci; then
        echo "CI=true and the harness emulator $name could not be started: failing" >&2
        return 1
    else
        warn_skipping "the harness emulator $name could not be started." \
            "Needs python3 with venv, node 20+ and npm; or set $var."
    fi
}

ensure_emulators() {
    if [[ -n "${PANGOLIN_TEST_S3_ENDPOINT:-}" && -n "${PANGOLIN_TEST_GCS_ENDPOINT:-}" &&
        -n "${PANGOLIN_TEST_OIDC_ISSUER:-}" ]]; then
        echo "using PANGOLIN_TEST_S3_ENDPOINT, PANGOLIN_TEST_GCS_ENDPOINT and PANGOLIN_TEST_OIDC_ISSUER from the environment"
        return
    fi
    if ! bash tests/harness/install.sh; then
        if in_ci; then
            echo "CI=true and the test harness could not be installed: failing" >&2
            return 1
        fi
        warn_skipping "the test harness (tests/harness/install.sh) failed: no emulators." \
            "Needs python3 with venv, node 20+ and npm; or set PANGOLIN_TEST_S3_ENDPOINT (and _GCS_ENDPOINT, _OIDC_ISSUER)."
        return
    fi
    ensure_emulator moto PANGOLIN_TEST_S3_ENDPOINT "http://127.0.0.1:${MOTO_PORT:-9000}"
    ensure_emulator fake-gcs PANGOLIN_TEST_GCS_ENDPOINT "http://127.0.0.1:${FAKE_GCS_PORT:-4443}"
    ensure_emulator oidc-cc PANGOLIN_TEST_OIDC_ISSUER "http://127.0.0.1:${OIDC_CC_PORT:-28201}"
}

# --- End-to-end suites -------------------------------------------------------------------------
# pytest suites under tests/e2e that start the real `pangolin` binary and drive PyIceberg, DuckDB,
# iceberg-rust and schemathesis against it (SQLite, PostgreSQL and S3-on-moto servers, and one with
# authentication on), using the harness vendored in tests/harness, installed into $HARNESS (with
# the iceberg-rust probe). PostgreSQL, moto and oidc-cc come from the phases above
# (PANGOLIN_TEST_POSTGRES_URL, PANGOLIN_TEST_S3_ENDPOINT, PANGOLIN_TEST_OIDC_ISSUER); a suite whose
# service is missing skips locally and fails in CI.
run_e2e() {
    if ! bash tests/harness/install.sh --with-rust-client; then
        if in_ci; then
            echo "CI=true and the test harness could not be installed: failing" >&2
            return 1
        fi
        warn_skipping "the test harness (tests/harness/install.sh --with-rust-client) failed." \
            "Needs python3 with venv, node 20+, npm and cargo."
    fi
    local python=$HARNESS/venv/bin/python
    if [[ ! -x "$python" ]]; then
        in_ci && return 1
        warn_skipping "no harness Python at $python: the end-to-end suites cannot run." \
            "Run bash tests/harness/install.sh."
        return
    fi
    cargo build --bin pangolin
    "$python" -m pytest tests/e2e --durations=5
}
# -------------------------------------------------------------------------------------------------

begin "cargo fmt --check"
cargo fmt --all -- --check
end

begin "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
end

begin "PostgreSQL"
ensure_postgres
end

begin "emulators"
ensure_emulators
end

begin "cargo test"
cargo test --workspace
end

begin "end-to-end"
run_e2e
end

echo
echo "all green in $((SECONDS - START))s"
