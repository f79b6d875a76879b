#!/bin/sh
# make demo as a newcomer runs it on a fresh clone: every example job ends in done/ and
# `ferry check-pool local` passes. Uses the shipped conf/ (var/ in the checkout).
set -eu
cd "$(dirname "$0")/../../.."
# as on a fresh clone: the demo's own state (built-in store, spool, checkpoints) from an earlier run
# would change what its jobs read
rm -rf var
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! FERRY_DEMO_EXIT=1 timeout 180 sh examples/demo.sh > "$out" 2>&1; then
    cat "$out"
    echo "demo-test: FAIL: make demo did not finish cleanly"
    exit 1
fi
failures=0
for id in example-people example-products example-inline-cities example-copy-people example-follow-people; do
    if grep -q -- "-- done/$id.result.json" "$out"; then
        echo "ok   $id done"
    else
        echo "FAIL $id not done"; failures=$((failures + 1))
    fi
done
if grep -q "result: all 6 checks passed" "$out"; then echo "ok   check-pool local passed"; else echo "FAIL check-pool local"; failures=$((failures + 1)); fi
if sed -n '/-- done\/example-copy-people.result.json/,/^}/p' "$out" | grep -q '"documentsRead": 2500'; then echo "ok   the copy job read the 2,500 people"; else echo "FAIL copy read"; failures=$((failures + 1)); fi
if sed -n '/-- done\/example-follow-people.result.json/,/^}/p' "$out" | grep -q '"eventsApplied": [1-9]'; then echo "ok   the follow job applied the change made to its source"; else echo "FAIL follow job"; failures=$((failures + 1)); fi
if [ $failures -ne 0 ]; then cat "$out"; echo "demo-test: $failures check(s) FAILED"; exit 1; fi
echo "demo-test: all checks passed"
