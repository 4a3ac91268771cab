#!/usr/bin/env bash
# THE test command: formatting, lints, every Rust test (against SQLite, memory and PostgreSQL),
# then the end-to-end suites. README and CI both run exactly this.
#
#   bash scripts/test.sh
#
# PostgreSQL: set PANGOLIN_TEST_POSTGRES_URL to use your own server; otherwise
# scripts/postgres.sh provides one. Without it the Postgres tests skip visibly, except in CI
# (CI=true), where a missing Postgres fails the run.
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

# A failing phase is named before set -e ends the run.
trap 'rc=$?; [[ $rc -ne 0 ]] && echo "FAILED in phase: ${PHASE:-setup} (after $((SECONDS - START))s)" >&2' EXIT

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
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
        echo "!! WARNING: no PostgreSQL available; the PostgreSQL tests will be SKIPPED.        !!" >&2
        echo "!! Install postgresql or set PANGOLIN_TEST_POSTGRES_URL to run them.              !!" >&2
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    fi
}

# --- End-to-end suites -------------------------------------------------------------------------
# The e2e task fills this in: pytest suites under tests/e2e that start the real `pangolin`
# binary and drive PyIceberg, DuckDB and iceberg-rust against it, using the harness vendored in
# tests/harness (a copy of ../shared/harness; install with `bash tests/harness/install.sh` into
# $HARNESS, start emulators with `tests/harness/services.sh start`). Until tests/e2e exists this
# phase does nothing.
run_e2e() {
    if [[ ! -d tests/e2e ]]; then
        echo "no tests/e2e directory yet; skipping the end-to-end suites"
        return
    fi
    local python=${HARNESS:-$PWD/.harness}/venv/bin/python
    [[ -x "$python" ]] || python=python3
    cargo build --bin pangolin
    "$python" -m pytest tests/e2e
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

begin "cargo test"
cargo test --workspace
end

begin "end-to-end"
run_e2e
end

echo
echo "all green in $((SECONDS - START))s"
