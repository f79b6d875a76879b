#!/bin/sh
# Checks systemd/ferry.service the way issue 5 asks: `systemd-analyze verify` reports nothing but the
# missing binary, and `systemd-analyze security --offline=yes` rates the exposure 2.0 or lower.
# Skips (and says so) where systemd-analyze is absent.
set -eu
cd "$(dirname "$0")/../../.."
unit=systemd/ferry.service
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "systemd-test: SKIPPED: systemd-analyze is not installed on this machine"
    exit 0
fi
out=$(systemd-analyze verify "$unit" 2>&1 || true)
unexpected=$(printf '%s\n' "$out" | grep -v '^$' | grep -v '/opt/ferry/bin/ferry' || true)
if [ -n "$unexpected" ]; then
    echo "systemd-test: FAIL: systemd-analyze verify reports more than the missing binary:"
    printf '%s\n' "$out"
    exit 1
fi
exposure=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -z "$exposure" ]; then
    echo "systemd-test: FAIL: no exposure level from systemd-analyze security"
    exit 1
fi
if awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
    echo "systemd-test: ok: verify clean but for the missing binary; exposure $exposure (<= 2.0)"
else
    echo "systemd-test: FAIL: exposure $exposure > 2.0"
    exit 1
fi
