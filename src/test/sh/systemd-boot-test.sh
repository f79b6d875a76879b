#!/bin/bash
# ferry installed as docs/operations.md's "Running under systemd" says, on a booted Debian 12 (systemd-nspawn -b),
# checked as its users meet it: the service runs as user ferry; alice, a member of group ferry,
# submits jobs, reads result and error files and runs status and ctl; the secrets recipe
# (LoadCredential=) is in place; stop, kill -9, a configuration error and an unreadable JMX password
# file each do what docs/operations.md says.
#
# The Debian root is built once with debootstrap and kept in $FERRY_SYSTEMD_CACHE (default
# target/systemd-boot/root.base); every run boots a fresh copy of it. Needs root, debootstrap,
# systemd-nspawn and a Debian archive, taken from this host's apt sources (FERRY_DEBIAN_MIRROR=URL
# overrides it); where any is missing it prints SKIPPED and why, and exits 0 without claiming a pass
# (make test says so too).
set -euo pipefail

top=$(cd -- "$(dirname -- "$0")/../../.." && pwd)
cache=${FERRY_SYSTEMD_CACHE:-$top/target/systemd-boot}
base=$cache/root.base
suite=bookworm
mirror=${FERRY_DEBIAN_MIRROR:-}
host=ferry-host
passed=0
failures=0
root=
nspawn_pid=
pid1=

skip() {
    echo "systemd-boot-test: SKIPPED (not run, not passed): $1"
    exit 0
}
ok() { printf 'ok   %s\n' "$1"; passed=$((passed + 1)); }
fail() { printf 'FAIL %s\n' "$1"; failures=$((failures + 1)); }

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap and systemd-nspawn)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is not installed (apt-get install systemd-container)"
command -v nsenter >/dev/null || skip "nsenter is not installed (util-linux)"

# The Debian archive this host's apt already uses, so that no mirror address is written here:
# one-line "deb [options] URL SUITE COMPONENT..." entries of sources.list and sources.list.d/*.list,
# and deb822 stanzas (Types:, URIs:, Suites:, Enabled:) of sources.list.d/*.sources. Prints the URL
# of an entry for suite $1 itself (not $1-security or $1-updates); failing that, one whose URL ends
# in /debian (the main archive serves every release). Prints nothing when there is none.
# FERRY_APT_DIR (default /etc/apt) points it at another apt configuration.
apt_mirror() {
    local want=$1 dir=${FERRY_APT_DIR:-/etc/apt} files=()
    [ -f "$dir/sources.list" ] && files+=("$dir/sources.list")
    for f in "$dir"/sources.list.d/*.list "$dir"/sources.list.d/*.sources; do
        [ -f "$f" ] && files+=("$f")
    done
    [ ${#files[@]} -gt 0 ] || return 0
    awk -v want="$want" '
        function entry(types, uris, suites, enabled,   nt, t, nu, u, ns, s, i, j, k, isdeb) {
            if (tolower(enabled) == "no") return
            nt = split(types, t, /[ \t]+/); isdeb = 0
            for (i = 1; i <= nt; i++) if (t[i] == "deb") isdeb = 1
            if (!isdeb) return
            nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
            for (i = 1; i <= nu; i++) {
                if (u[i] == "") continue
                sub(/\/+$/, "", u[i])
                for (j = 1; j <= ns; j++) {
                    if (s[j] == want && exact == "") exact = u[i]
                    if (s[j] != "" && s[j] !~ /-(security|updates|backports|proposed-updates)$/ \
                            && u[i] ~ /\/debian$/ && archive == "") archive = u[i]
                }
            }
        }
        function flush() { if (inst) entry(T, U, S, E); T = U = S = E = ""; inst = 0 }
        FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
        deb822 {
            if ($0 ~ /^[ \t]*$/) { flush(); next }
            if ($0 ~ /^[ \t]*#/) next
            inst = 1
            line = $0; key = tolower(line); sub(/:.*/, "", key); sub(/^[^:]*:[ \t]*/, "", line)
            if (key == "types") T = line; else if (key == "uris") U = line
            else if (key == "suites") S = line; else if (key == "enabled") E = line
            next
        }
        /^[ \t]*deb[ \t]/ {
            line = $0; sub(/#.*/, "", line); sub(/^[ \t]*deb[ \t]+/, "", line)
            if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
            split(line, f, /[ \t]+/)
            entry("deb", f[1], f[2], "")
        }
        END { flush(); if (exact != "") print exact; else if (archive != "") print archive }
    ' "${files[@]}"
}

# --- the cached Debian root -------------------------------------------------------------------
if [ ! -f "$base/.ferry-root-complete" ]; then
    [ -n "$mirror" ] || mirror=$(apt_mirror "$suite")
    [ -n "$mirror" ] || skip "no Debian archive for $suite in this host's apt sources (${FERRY_APT_DIR:-/etc/apt}/sources.list, sources.list.d/*.list, *.sources); set FERRY_DEBIAN_MIRROR=URL"
    echo "== Debian archive: $mirror"
    echo "== building a Debian 12 root with debootstrap in $base (once; about a minute)"
    rm -rf "$base" "$base.tmp"
    mkdir -p "$cache"
    if ! debootstrap --variant=minbase \
            --include=systemd,systemd-sysv,dbus,openjdk-17-jre-headless,procps,util-linux,passwd,login \
            "$suite" "$base.tmp" "$mirror" > "$cache/debootstrap.log" 2>&1; then
        # debootstrap may leave its /proc mounted when it stops half-way
        umount -l "$base.tmp/proc" 2>/dev/null || true
        tail -5 "$cache/debootstrap.log"
        skip "debootstrap could not build the root (log: $cache/debootstrap.log)"
    fi
    umount -l "$base.tmp/proc" 2>/dev/null || true
    touch "$base.tmp/.ferry-root-complete"
    mv "$base.tmp" "$base"
fi

# --- a fresh copy, with ferry installed as docs/operations.md says---------------------------------
root=$(mktemp -d "$cache/run.XXXXXX")
cleanup() {
    if [ -n "$pid1" ] && kill -0 "$pid1" 2>/dev/null; then
        kill -s SIGRTMIN+4 "$pid1" 2>/dev/null || true   # systemd: power off
        for _ in $(seq 1 60); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.5; done
    fi
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then kill -9 "$nspawn_pid" 2>/dev/null || true; fi
    [ -n "$root" ] && rm -rf "$root"
}
trap cleanup EXIT
cp -a "$base/." "$root/"
echo "$host" > "$root/etc/hostname"
# Debian's installer writes this line: the host name is on 127.0.1.1, not on 127.0.0.1.
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$host" > "$root/etc/hosts"
chroot "$root" useradd -m -s /bin/sh alice

echo "== make install DESTDIR=$root"
make -C "$top" --no-print-directory install DESTDIR="$root" > "$cache/install.log" 2>&1 \
    || { cat "$cache/install.log"; echo "systemd-boot-test: FAIL: make install"; exit 1; }

# The secrets recipe of docs/operations.md: a credential file only root can read, handed to the service.
mkdir -p "$root/etc/systemd/system/ferry.service.d"
printf '[Service]\nLoadCredential=mongo-uri:/etc/ferry/credentials/mongo-uri\n' \
    > "$root/etc/systemd/system/ferry.service.d/credentials.conf"
# The secret is the built-in store's uri, so that a job can really be written through it.
echo "embedded:/var/lib/ferry/main-store" > "$root/etc/ferry/credentials/mongo-uri"
chmod 0600 "$root/etc/ferry/credentials/mongo-uri"
cat >> "$root/etc/ferry/ferry.properties" <<'EOF'
connection.main.uri=${file:${env:CREDENTIALS_DIRECTORY}/mongo-uri}
connection.main.database=app
EOF

# --- boot ---------------------------------------------------------------------------------------
echo "== booting $root"
systemd-nspawn -D "$root" -b --register=no --keep-unit --console=pipe --machine="$host" \
    > "$cache/boot.log" 2>&1 < /dev/null &
nspawn_pid=$!
for _ in $(seq 1 100); do
    # nspawn forks before the container's init execs: wait for the child that is systemd itself
    pid1=$(pgrep -P "$nspawn_pid" -x systemd | head -n 1 || true)
    [ -n "$pid1" ] && break
    sleep 0.1
done
[ -n "$pid1" ] || { tail -20 "$cache/boot.log"; skip "systemd-nspawn did not start a container here"; }

# Runs a command inside the container as root, with a clean environment (no host JAVA_HOME).
ct() {
    nsenter -t "$pid1" -m -u -i -n -p -C -r -w \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}
# Runs a shell snippet inside the container as alice, with her groups.
alice() {
    ct runuser -u alice -- env -i HOME=/home/alice PATH=/opt/ferry/bin:/usr/bin:/bin LANG=C.UTF-8 \
        FERRY_CONF=/etc/ferry sh -c "cd /home/alice && $1"
}
has() { printf '%s' "$1" | grep -q -- "$2"; }   # has TEXT PATTERN
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
wait_for() { # wait_for SECONDS COMMAND...: true once COMMAND succeeds
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.5
    done
}
prop() { ct systemctl show -p "$1" --value ferry; }

# systemctl needs the manager's socket, which appears a moment after init starts
for _ in $(seq 1 300); do ct test -S /run/systemd/private 2>/dev/null && break; sleep 0.2; done
state=$(ct systemctl is-system-running --wait 2>"$cache/state.err" || true)
echo "   container system state: $state"
[ "$state" = running ] || [ "$state" = degraded ] || { tail -20 "$cache/boot.log"; cat "$cache/state.err"; skip "the container did not boot (state '$state')"; }

echo "== the documented steps: sysusers, tmpfiles, usermod, enable --now"
ct systemd-sysusers /etc/sysusers.d/ferry.conf
ct systemd-tmpfiles --create /etc/tmpfiles.d/ferry.conf
ct usermod -aG ferry alice
ct systemctl daemon-reload
ct systemctl enable --now ferry 2>/dev/null

check "/etc/ferry is root:ferry 0750" [ "$(ct stat -c '%U:%G %a' /etc/ferry)" = "root:ferry 750" ]
check "ferry.properties is root:ferry 0640" [ "$(ct stat -c '%U:%G %a' /etc/ferry/ferry.properties)" = "root:ferry 640" ]
ready() { ct test -f /var/lib/ferry/jmx.local; }
check "service active and ready (jmx.local written) within 30 s" wait_for 30 ready
check "systemctl is-active ferry" [ "$(ct systemctl is-active ferry)" = active ]
main_pid=$(prop MainPID)
check "daemon runs as user ferry (pid $main_pid)" [ "$(ct ps -o user= -p "$main_pid" | tr -d ' ')" = ferry ]
check "getent hosts $host is 127.0.1.1 (Debian's line kept)" \
    [ "$(ct getent hosts "$host" | awk '{print $1}')" = 127.0.1.1 ]

echo "== alice submits and reads"
cat > "$root/home/alice/people.json" <<'EOF'
{"id": "people-1", "source": {"type": "inline", "documents": [{"_id": 1, "name": "Ada"}, {"_id": 2, "name": "Grace"}]},
 "destination": {"connection": "main", "collection": "people"}}
EOF
printf '{"id": "broken", "source": ' > "$root/home/alice/broken.json"
ct chown alice:alice /home/alice/people.json /home/alice/broken.json
out=$(alice 'ferry submit people.json' 2>&1) && rc=0 || rc=$?
check "alice: ferry submit exits 0 ($out)" [ "$rc" = 0 ]
check "alice: a broken job copied into incoming/" alice 'cp broken.json /var/spool/ferry/incoming/broken.json'
done_file=/var/spool/ferry/done/people-1.result.json
error_file=/var/spool/ferry/failed/broken.error.json
done_ok() { ct test -f $done_file; }
failed_ok() { ct test -f $error_file; }
check "people-1 ends in done/ within 30 s" wait_for 30 done_ok
check "broken ends in failed/ within 30 s" wait_for 30 failed_ok
out=$(alice "cat $done_file" 2>&1) || true
check "alice reads done/people-1.result.json (documentsRead 2)" has "$out" '"documentsRead": 2'
[ -n "$out" ] && echo "$out" | head -n 3 | sed 's/^/     /'
out=$(alice "cat $error_file" 2>&1) || true
check "alice reads failed/broken.error.json (kind invalid-job)" has "$out" invalid-job
check "result file mode 0640" [ "$(ct stat -c %a $done_file)" = 640 ]

out=$(alice 'ferry status' 2>&1) && rc=0 || rc=$?
check "alice: ferry status exits 0 and shows the daemon's pools" eval '[ $rc = 0 ] && has "$out" main'
echo "$out" | sed 's/^/     /'
out=$(alice 'ferry ctl pools' 2>&1) && rc=0 || rc=$?
check "alice: ferry ctl pools exits 0 and lists local and main" eval '[ $rc = 0 ] && has "$out" local && has "$out" main'
[ "$rc" = 0 ] || echo "$out" | sed 's/^/     /'
out=$(alice 'ferry ctl reset main' 2>&1) && rc=0 || rc=$?
check "alice: ferry ctl reset main exits 0 ($out)" [ "$rc" = 0 ]

echo "== systemctl reload"
conf=/etc/ferry/ferry.properties
ct cp -p $conf /root/ferry.properties.before-reload
main_pid=$(prop MainPID)
ct sh -c "echo 'workers=3' >> $conf"
ct systemctl reload ferry
reloaded() { ct journalctl -u ferry -o cat --no-pager | grep -q "reloaded $conf: applied workers"; }
check "systemctl reload: the journal says what was applied" wait_for 20 reloaded
out=$(alice 'ferry ctl jobs' 2>&1) && rc=0 || rc=$?
check "alice: ferry ctl jobs shows workers=3" eval '[ $rc = 0 ] && has "$out" "workers=3"'
check "reloaded in place: same pid $main_pid, still active" \
    eval '[ "$(prop MainPID)" = "$main_pid" ] && [ "$(ct systemctl is-active ferry)" = active ]'
ct sh -c "echo 'workers=zero' >> $conf"
ct systemctl reload ferry
refused() { ct journalctl -u ferry -o cat --no-pager | grep -q "reload refused, nothing changed: $conf:[0-9]*: workers: .*zero"; }
check "an invalid file: the journal names file, line and key; nothing changed" wait_for 20 refused
out=$(alice 'ferry ctl reload' 2>&1) && rc=0 || rc=$?
check "alice: ferry ctl reload of the invalid file exits 2 naming the key" \
    eval '[ $rc = 2 ] && has "$out" "reload refused, nothing changed" && has "$out" "workers"'
check "still running: same pid, active" \
    eval '[ "$(prop MainPID)" = "$main_pid" ] && [ "$(ct systemctl is-active ferry)" = active ]'
ct cp -p /root/ferry.properties.before-reload $conf
out=$(alice 'ferry ctl reload' 2>&1) && rc=0 || rc=$?
check "the file restored: ferry ctl reload exits 0 ($out)" eval '[ $rc = 0 ] && has "$out" "applied workers"'

echo "== secrets recipe"
out=$(ct /opt/ferry/bin/ferry status --conf /etc/ferry 2>&1) && rc=0 || rc=$?
check "root without CREDENTIALS_DIRECTORY: ferry status exits 0" [ "$rc" = 0 ]
out=$(alice 'ferry check-pool main' 2>&1) && rc=0 || rc=$?
check "alice: check-pool main exits 2 naming CREDENTIALS_DIRECTORY and how to give it" \
    eval '[ $rc = 2 ] && has "$out" CREDENTIALS_DIRECTORY && has "$out" LoadCredential'
echo "$out" | head -n 2 | sed 's/^/     /'
out=$(alice 'ferry submit people.json' 2>&1) && rc=0 || rc=$?
check "alice: submit names connection main without its secret: exit 0 (a second copy is refused as waiting or runs)" \
    eval '[ $rc = 0 ] || has "$out" "already waiting"'

out=$(ct env CREDENTIALS_DIRECTORY=/etc/ferry/credentials /opt/ferry/bin/ferry check-pool --conf /etc/ferry main 2>&1) && rc=0 || rc=$?
check "root with CREDENTIALS_DIRECTORY: check-pool main passes" [ "$rc" = 0 ]
[ "$rc" = 0 ] || echo "$out" | tail -n 8 | sed 's/^/     /'

echo "== stop, kill -9, configuration errors"
t0=$(date +%s%N)
ct systemctl stop ferry
t1=$(date +%s%N)
check "systemctl stop: inactive, Result=success, in $(( (t1 - t0) / 1000000 )) ms" \
    eval '[ "$(ct systemctl is-active ferry || true)" = inactive ] && [ "$(prop Result)" = success ]' 
ct systemctl start ferry
check "started again" wait_for 30 ready
main_pid=$(prop MainPID)
ct kill -9 "$main_pid"
restarted() { p=$(prop MainPID); [ "$p" != 0 ] && [ "$p" != "$main_pid" ] && [ "$(ct systemctl is-active ferry)" = active ]; }
check "kill -9: restarted by systemd within 20 s" wait_for 20 restarted
check "NRestarts is 1 after the kill" [ "$(prop NRestarts)" = 1 ]

conf=/etc/ferry/ferry.properties
ct cp -p $conf /root/ferry.properties.good
ct sh -c "echo 'workers=zero' >> $conf"
ct systemctl restart ferry 2>/dev/null || true
failed_state() { [ "$(ct systemctl is-active ferry || true)" = failed ]; }
check "configuration error: the unit ends failed" wait_for 20 failed_state
# a manual restart resets NRestarts: count from the failure on
restarts=$(prop NRestarts)
sleep 7   # longer than RestartSec=5s: a restart would have happened by now
check "configuration error: exit status 2, not restarted in 7 s (NRestarts $restarts -> $(prop NRestarts), still failed)" \
    eval '[ "$(prop NRestarts)" = "$restarts" ] && [ "$(prop ExecMainStatus)" = 2 ] && failed_state' 
line=$(ct journalctl -u ferry -o cat --no-pager | grep 'workers' | tail -n 1)
check "the journal names file, line, key and value: $line" has "$line" 'ferry.properties:[0-9]*: workers: .*zero' 

ct cp -p /root/ferry.properties.good $conf
ct sh -c "echo 'jmx.port=19099' >> $conf"
ct sh -c "printf 'admin secret\n' > /etc/ferry/jmxremote.password && chmod 0600 /etc/ferry/jmxremote.password"
ct systemctl reset-failed ferry
ct systemctl start ferry 2>/dev/null || true
check "unreadable jmxremote.password: the unit ends failed" wait_for 20 failed_state
restarts=$(prop NRestarts)
sleep 7
check "unreadable jmxremote.password: exit status 2, not restarted in 7 s" \
    eval '[ "$(prop ExecMainStatus)" = 2 ] && [ "$(prop NRestarts)" = "$restarts" ] && failed_state' 
line=$(ct journalctl -u ferry -o cat --no-pager | grep 'jmxremote.password' | tail -n 1)
check "the journal names the password file: $line" has "$line" 'cannot read it'
check "nothing listens on port 19099" eval '! (exec 3<>/dev/tcp/127.0.0.1/19099) 2>/dev/null' 

ct chown ferry /etc/ferry/jmxremote.password
ct systemctl reset-failed ferry
ct systemctl start ferry
check "password file made readable by ferry: the service runs again" wait_for 30 ready
auth=$(ct journalctl -u ferry -o cat --no-pager | grep 'remote JMX listening' | tail -n 1)
check "remote JMX says authentication on: $auth" has "$auth" 'authentication on' 

ct systemctl stop ferry
echo "systemd-boot-test: $passed checks passed, $failures failed"
[ "$failures" = 0 ]
