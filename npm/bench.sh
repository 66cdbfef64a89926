#!/usr/bin/env bash
# npm/bench.sh [FIXTURE] [HYPERFINE_ARGS...]
#
# Times the real `sls package` (serverless@3.40.0 from npm/node_modules, offline env as in
# the tests) on a fixture (default: seed-s3-trigger), side by side:
#   serverless-step-functions   plugins: [serverless-step-functions] (3.31.2)
#   slsx                        plugins: [slsx], the release binary via SLSX_BINARY
# and, for scale, `slsx expand` alone. Needs hyperfine (apt-get install -y hyperfine) and
# npm/test.sh run once (for npm/node_modules). Builds the release binary if missing.
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd .. && pwd)"
fixture="${1:-seed-s3-trigger}"; shift || true
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
bin="$CARGO_TARGET_DIR/release/slsx"
[[ -x "$bin" ]] || cargo build --release --quiet --manifest-path "$root/Cargo.toml"
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (apt-get install -y hyperfine)" >&2; exit 2; }
[[ -f node_modules/serverless/bin/serverless.js ]] || { echo "bench: run npm/test.sh first" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/slsx-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
node -e '
  const { slsPackage } = require("./test/sls.js");
  const [fixture, work, bin] = process.argv.slice(1);
  (async () => {
    for (const plugin of ["serverless-step-functions", "slsx"]) {
      const r = await slsPackage(fixture, { plugin, binary: bin, keep: true });
      if (r.status !== 0) { console.error(r.log); process.exit(1); }
      require("fs").renameSync(r.dir, `${work}/${plugin}`);
    }
  })();
' "$fixture" "$work" "$bin"
sls="$PWD/node_modules/serverless/bin/serverless.js"
home="$PWD/node_modules/.sls-home"
offline="env -i PATH=$PATH HOME=$home AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true SLS_TELEMETRY_DISABLED=1 SLS_TRACKING_DISABLED=1 SLS_NOTIFICATIONS_MODE=off SLS_DISABLE_AUTO_UPDATE=1 SLS_GEO_LOCATION=no-cn FORCE_COLOR=0"
hyperfine --warmup 2 --runs "${RUNS:-10}" "$@" \
  -n "sls package + serverless-step-functions" "cd $work/serverless-step-functions && $offline node $sls package" \
  -n "sls package + slsx" "cd $work/slsx && $offline SLSX_BINARY=$bin node $sls package" \
  -n "slsx expand (no Node)" "$bin expand $root/fixtures/$fixture"
