#!/bin/sh
# make demo: the daemon on the shipped conf/ (embedded store, no server needed), the example jobs
# submitted, their results printed, the pool self-test run; then the daemon keeps running until Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
ferry=bin/ferry
conf=conf
spool=var/spool
state=var/state

if [ -f "$state/ferry.pid" ] && kill -0 "$(cat "$state/ferry.pid")" 2>/dev/null; then
    echo "demo: a ferry daemon already runs (pid $(cat "$state/ferry.pid")); stop it first (kill $(cat "$state/ferry.pid"))" >&2
    exit 1
fi

$ferry run --conf "$conf" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; echo; echo "demo: daemon stopped"; exit 0' INT TERM

i=0
until [ -f "$state/jmx.local" ]; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 $daemon 2>/dev/null; then echo "demo: the daemon did not start" >&2; exit 1; fi
    sleep 0.1
done

await() { # wait for done/ID.result.json or failed/ID.error.json
    i=0
    until [ -f "$spool/done/$1.result.json" ] || [ -f "$spool/failed/$1.error.json" ]; do
        i=$((i + 1)); [ $i -gt 600 ] && { echo "demo: $1 did not finish in 60 s" >&2; return 1; }
        sleep 0.1
    done
}
clear_outcome() { rm -f "$spool/done/$1.json" "$spool/done/$1.result.json" "$spool/failed/$1.json" "$spool/failed/$1.error.json"; }

echo "== submitting the example jobs"
for id in example-people example-products example-inline-cities example-copy-people; do clear_outcome $id; done
$ferry submit --conf "$conf" examples/jobs/10-people.json examples/jobs/20-products.json examples/jobs/30-inline-cities.json
await example-people; await example-products; await example-inline-cities
# the copy reads what example-people wrote, so it goes last
$ferry submit --conf "$conf" examples/jobs/40-copy-people.json
await example-copy-people

echo
echo "== follow mode: example-follow-people copies demo.people, then applies every change made to it"
clear_outcome example-follow-people
$ferry submit --conf "$conf" examples/jobs/50-follow-people.json
i=0
until $ferry ctl --conf "$conf" --json jobs 2>/dev/null | grep -q '"Phase": *"FOLLOWING"'; do
    i=$((i + 1)); [ $i -gt 600 ] && { echo "demo: example-follow-people did not reach FOLLOWING" >&2; break; }
    sleep 0.1
done
echo "example-follow-people: snapshot copied, now FOLLOWING; changing person 1 in its source with another job (merge: the count stays 2,500, so a rerun of the demo reads the same):"
change=var/demo-change.json
cat > "$change" <<JSON
{"id": "example-change-people", "mode": "merge", "source": {"type": "inline", "documents": [
  {"_id": 1, "followedAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"}]},
 "destination": {"connection": "local", "database": "demo", "collection": "people"}}
JSON
clear_outcome example-change-people
$ferry submit --conf "$conf" "$change"
await example-change-people
i=0
until $ferry ctl --conf "$conf" --json jobs 2>/dev/null | grep -q '"EventsApplied": *[1-9]'; do
    i=$((i + 1)); [ $i -gt 600 ] && { echo "demo: the change did not reach people_live" >&2; break; }
    sleep 0.1
done
$ferry ctl --conf "$conf" jobs
$ferry ctl --conf "$conf" finish example-follow-people
await example-follow-people

echo
echo "== results"
for id in example-people example-products example-inline-cities example-copy-people example-follow-people; do
    if [ -f "$spool/done/$id.result.json" ]; then
        echo "-- done/$id.result.json"; cat "$spool/done/$id.result.json"; echo
    else
        echo "-- FAILED: failed/$id.error.json"; cat "$spool/failed/$id.error.json"; echo
    fi
done

echo "== ferry status"
$ferry status --conf "$conf"
echo
echo "== ferry check-pool local"
$ferry check-pool --conf "$conf" local || true
echo
if [ "${FERRY_DEMO_EXIT:-}" = 1 ]; then # for src/test/sh/demo-test.sh: stop instead of waiting for Ctrl-C
    kill -TERM $daemon; wait $daemon || true
    echo "demo: daemon stopped"
    exit 0
fi
echo "demo: the daemon keeps running (pid $daemon). Drop more jobs into $spool/incoming/, watch it in"
echo "      JConsole (local process dev.ferry.cli.Main), or use bin/ferry ctl pools. Ctrl-C stops it."
wait $daemon
