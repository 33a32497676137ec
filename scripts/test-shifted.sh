#!/usr/bin/env bash
# Runs the test suite under libfaketime starting at the given UTC time: `bash scripts/test-shifted.sh '2027-03-17 10:00:00'`.
set -euo pipefail
cd "$(dirname "$0")/.."
when="$1"
echo "== npm test at ${when} UTC =="
TZ=UTC faketime "${when}" node -e 'console.log("clock reads", new Date().toISOString())'
# The Workers build (workerd) and the benchmark (which starts workerd) cannot run under libfaketime.
TZ=UTC RC_NO_WORKERD=1 faketime "${when}" npx vitest run \
  --exclude test/e2e/worker.test.ts \
  --exclude test/bench/bench.test.ts
