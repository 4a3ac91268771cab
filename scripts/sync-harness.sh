#!/usr/bin/env bash
# Refreshes the vendored harness and spec from the shared copies next to the repository.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${1:-$root/../shared}
[ -d "$shared/harness" ] || { echo "sync-harness: no harness at $shared/harness" >&2; exit 1; }
keep=$(cat "$root/tests/harness/VENDORED.md")
rm -rf "$root/tests/harness"
cp -r "$shared/harness" "$root/tests/harness"
printf '%s\n' "$keep" >"$root/tests/harness/VENDORED.md"
cp "$shared/spec/iceberg-rest-catalog-open-api.yaml" "$root/tests/spec/"
echo "vendored harness and spec refreshed from $shared"
