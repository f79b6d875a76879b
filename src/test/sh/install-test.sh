#!/bin/sh
# make install / uninstall into a scratch DESTDIR: the tree and its modes, a second install keeping
# an edited configuration, uninstall keeping configuration and data. Run from anywhere; needs the
# jar to be buildable (make install depends on build). Exit 0 only if every check passes.
set -eu

top=$(cd -- "$(dirname -- "$0")/../../.." && pwd)
dest=$(mktemp -d "${TMPDIR:-/tmp}/ferry-install-test.XXXXXX")
trap 'rm -rf "$dest"' EXIT
failures=0
log=$dest.log

ok() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...
    what=$1; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
mode_is() { # mode_is PATH MODE (octal, as stat prints it)
    [ "$(stat -c %a "$dest$1")" = "$2" ] || { echo "     $1 has mode $(stat -c %a "$dest$1"), expected $2"; return 1; }
}
has_line() { grep -qxF "$2" "$dest$1" || { echo "     $1 lacks line: $2"; return 1; }; }
installs() { make -C "$top" --no-print-directory "$@" DESTDIR="$dest" > "$log" 2>&1 || { cat "$log"; return 1; }; }

conf=/etc/ferry/ferry.properties
prom=/etc/ferry/prometheus-jmx.yaml
agent=/opt/ferry/lib/agent/jmx_prometheus_javaagent.jar

echo "== first install into $dest"
check "make install succeeds" installs install
check "launcher is executable" test -x "$dest/opt/ferry/bin/ferry"
check "ferry.jar installed" test -f "$dest/opt/ferry/lib/ferry.jar"
check "driver jar installed" sh -c "ls '$dest'/opt/ferry/lib/mongodb-driver-sync-*.jar >/dev/null"
check "unit installed" test -f "$dest/etc/systemd/system/ferry.service"
check "unit runs the installed launcher" has_line /etc/systemd/system/ferry.service \
    "ExecStart=/opt/ferry/bin/ferry run --conf /etc/ferry"
check "configuration installed" test -f "$dest$conf"
check "configuration mode 640" mode_is "$conf" 640
check "spool.dir points to /var/spool/ferry" has_line "$conf" "spool.dir=/var/spool/ferry"
check "state.dir points to /var/lib/ferry" has_line "$conf" "state.dir=/var/lib/ferry"
check "embedded store under /var/lib/ferry" has_line "$conf" "connection.local.uri=embedded:/var/lib/ferry/embedded"
check "file sources from /var/lib/ferry/data" has_line "$conf" "source.file.allowedDirs=/var/lib/ferry/data"
check "no relative var/ path left" sh -c "! grep -n '=var/\|embedded:var/' '$dest$conf'"
check "incoming is setgid and group-writable (2770)" mode_is /var/spool/ferry/incoming 2770
check "failed is setgid and group-writable (2770)" mode_is /var/spool/ferry/failed 2770
check "active 2750" mode_is /var/spool/ferry/active 2750
check "done 2750" mode_is /var/spool/ferry/done 2750
check "state dir 750" mode_is /var/lib/ferry 750
check "credentials dir 700" mode_is /etc/ferry/credentials 700
check "Prometheus agent installed in lib/agent" test -f "$dest$agent"
check "Prometheus agent not on the class path (lib/)" sh -c "! ls '$dest'/opt/ferry/lib/*prometheus* >/dev/null 2>&1"
check "Prometheus rules installed" test -f "$dest$prom"
check "Prometheus rules mode 644 (the daemon reads them as user ferry)" mode_is "$prom" 644
check "Prometheus rules are the shipped ones" cmp -s "$top/conf/prometheus-jmx.yaml" "$dest$prom"
check "installed launcher starts the JVM" "$dest/opt/ferry/bin/ferry" validate --conf "$dest/etc/ferry" \
    "$dest/opt/ferry/examples/jobs/30-inline-cities.json"
check "installed launcher starts the JVM with the installed agent and rules" \
    env FERRY_OPTS="-javaagent:$dest$agent=127.0.0.1:0:$dest$prom" "$dest/opt/ferry/bin/ferry" validate \
    --conf "$dest/etc/ferry" "$dest/opt/ferry/examples/jobs/30-inline-cities.json"

echo "== edit the configuration, install again"
sed -i 's/^workers=.*/workers=7/' "$dest$conf"
echo "# edited by install-test" >> "$dest$conf"
echo "# edited by install-test" >> "$dest$prom"
check "second make install succeeds" installs install
check "it says it kept the configuration" grep -q "kept your /etc/ferry/ferry.properties" "$log"
check "edited value survived" has_line "$conf" "workers=7"
check "edited comment survived" has_line "$conf" "# edited by install-test"
check "shipped configuration beside it as .new" has_line "$conf.new" "workers=4"
check "edited Prometheus rules survived" has_line "$prom" "# edited by install-test"
check "shipped Prometheus rules beside them as .new" cmp -s "$top/conf/prometheus-jmx.yaml" "$dest$prom.new"
touch "$dest/var/spool/ferry/done/job-1.result.json" "$dest/var/lib/ferry/data/people.ndjson"

echo "== uninstall"
check "make uninstall succeeds" installs uninstall
check "it says it kept configuration and data" grep -q "kept configuration" "$log"
check "launcher removed" test ! -e "$dest/opt/ferry/bin/ferry"
check "jars removed" test ! -e "$dest/opt/ferry/lib/ferry.jar"
check "Prometheus agent and its directory removed" test ! -e "$dest/opt/ferry/lib/agent"
check "unit removed" test ! -e "$dest/etc/systemd/system/ferry.service"
check "edited configuration kept" has_line "$conf" "workers=7"
check "edited Prometheus rules kept" has_line "$prom" "# edited by install-test"
check "spool results kept" test -f "$dest/var/spool/ferry/done/job-1.result.json"
check "state data kept" test -f "$dest/var/lib/ferry/data/people.ndjson"

rm -f "$log"
if [ "$failures" -ne 0 ]; then
    echo "install-test: $failures check(s) failed"
    exit 1
fi
echo "install-test: all checks passed"
