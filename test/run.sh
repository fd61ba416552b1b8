#!/usr/bin/env bash
# `npm test`: installs what the tests need (Debian packages, node modules), type-checks and
# builds, runs every tap test, and ends with a plain "N passed, N failed" line for CI.
set -uo pipefail
cd "$(dirname "$0")/.."

finish() {
  echo "$1 passed, $2 failed"
  [ "$2" = 0 ] && exit 0 || exit 1
}

bash test/support/ensure-debian-deps.sh || { echo "test setup failed: Debian packages"; finish 0 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || { echo "test setup failed: npm ci"; finish 0 1; }
fi

setup_failures=0
echo "# type-check (tsc -p tsconfig.test.json)"
npx tsc -p tsconfig.test.json || setup_failures=$((setup_failures + 1))
echo "# build (tsc -p tsconfig.json)"
npx tsc -p tsconfig.json || setup_failures=$((setup_failures + 1))

out=$(mktemp)
files=("$@")
npx tap --reporter=tap ${files[@]+"${files[@]}"} 2>&1 | tee "$out"
summary=$(grep -E '^# \{ total: [0-9]+' "$out" | tail -1)
rm -f "$out"
if [ -z "$summary" ]; then
  echo "tap did not report a summary"
  finish 0 $((setup_failures + 1))
fi
pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary"); pass=${pass:-0}
fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary"); fail=${fail:-0}
finish "$pass" $((fail + setup_failures))
