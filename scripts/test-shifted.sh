#!/usr/bin/env bash
# Runs the test suite under libfaketime starting at the given UTC time: `bash scripts/test-shifted.sh '2027-03-17 10:00:00'`.
set -euo pipefail
cd "$(dirname "$0")/.."
when="$1"
echo "== npm test at ${when} UTC =="
# A run left on today's date would pass and prove nothing: the clock must read the date asked for (within an hour).
TZ=UTC faketime "${when}" node -e '
  const want = Date.parse(`${process.argv[1].replace(" ", "T")}Z`);
  console.log("clock reads", new Date().toISOString());
  if (!(Math.abs(Date.now() - want) < 3600e3)) {
    console.error(`faketime did not move the clock to ${process.argv[1]} UTC`);
    process.exit(1);
  }' "${when}"
# The Workers build (workerd) and the benchmark (which starts workerd) cannot run under libfaketime.
TZ=UTC RC_NO_WORKERD=1 faketime "${when}" npx vitest run \
  --exclude test/e2e/worker.test.ts \
  --exclude test/bench/bench.test.ts
