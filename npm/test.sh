#!/usr/bin/env bash
# npm/test.sh — the npm package's tests, run by scripts/test (and so by CI).
#
#  1. builds the slsx binary (debug, into $CARGO_TARGET_DIR or target/);
#  2. installs the pinned test dependencies (serverless@3.40.0, serverless-step-functions
#     3.31.2) with `npm ci` from npm/package-lock.json, offline-friendly (npm cache first);
#  3. runs `node --test` on npm/test/: unit tests of binary resolution, the launcher and the
#     plugin, the packed-install/npx test, and one `sls package` integration case per fixture
#     that uses serverless-step-functions (with slsx in its place; see
#     test/sls-package.test.js).
#
# Environment:
#   SLSX_NPM_TEST_ONLY=unit     skips the `sls package` cases
#   SLSX_NPM_TEST_FILTER=RE     runs only the fixtures whose name matches RE
#   SLSX_NPM_TEST_BASELINE=all  runs the harness check (the original plugin) on every fixture
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd .. && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

echo "-- building slsx (debug)"
cargo build --quiet --manifest-path "$root/Cargo.toml"
export SLSX_TEST_BINARY="$CARGO_TARGET_DIR/debug/slsx"

# npm ci only when the lock changed since the last install.
stamp="node_modules/.slsx-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "-- npm ci (serverless@3.40.0, serverless-step-functions@3.31.2)"
  npm ci --prefer-offline --no-audit --no-fund --engine-strict=false --loglevel=error
  echo "$want" >"$stamp"
fi

echo "-- node --test"
exec node --test --test-concurrency=1 test/
