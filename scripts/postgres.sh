#!/usr/bin/env bash
# Makes a PostgreSQL server available on 127.0.0.1 for the test suites, idempotently, using the
# Debian cluster tooling (pg_lsclusters / pg_createcluster / pg_ctlcluster). Prints
#   PANGOLIN_TEST_POSTGRES_URL=postgres://pangolin:pangolin@127.0.0.1:<port>/pangolin_test
# on stdout (everything else goes to stderr), so callers can do:
#   eval "export $(bash scripts/postgres.sh)"
# Needs root (or the postgres user). Exits non-zero when PostgreSQL is not installed.
set -euo pipefail

ROLE=pangolin
PASSWORD=pangolin
DATABASE=pangolin_test
CLUSTER=main

log() { echo "postgres.sh: $*" >&2; }

version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$version" || ! -x "/usr/lib/postgresql/$version/bin/postgres" ]]; then
    log "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres); apt-get install postgresql"
    exit 1
fi
if ! command -v pg_lsclusters >/dev/null; then
    log "pg_lsclusters not found: the Debian postgresql-common tooling is required"
    exit 1
fi

# Runs a command as the postgres OS user.
as_postgres() {
    if [[ "$(id -un)" == postgres ]]; then
        "$@"
    elif [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        sudo -n -u postgres "$@"
    fi
}

# Prints the given column (port=3, status=4) of our cluster's pg_lsclusters line.
cluster_field() {
    pg_lsclusters --no-header 2>/dev/null | awk -v v="$version" -v c="$CLUSTER" -v f="$1" \
        '$1 == v && $2 == c { print $f }'
}

if [[ -z "$(cluster_field 3)" ]]; then
    log "creating cluster $version/$CLUSTER"
    pg_createcluster "$version" "$CLUSTER" >&2
fi
if [[ "$(cluster_field 4)" != online* ]]; then
    log "starting cluster $version/$CLUSTER"
    pg_ctlcluster "$version" "$CLUSTER" start >&2
fi
port=$(cluster_field 3)

for _ in $(seq 1 30); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
    sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || { log "the server on port $port does not answer"; exit 1; }

psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@"; }

# CREATEDB lets suites create throwaway databases; the password is reset so a stale role
# from an earlier setup still matches the URL below.
psql_admin >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  ELSE
    ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END
\$\$;
SQL
if [[ "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]]; then
    log "creating database $DATABASE"
    psql_admin -c "CREATE DATABASE $DATABASE OWNER $ROLE" >&2
fi

echo "PANGOLIN_TEST_POSTGRES_URL=postgres://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE"
