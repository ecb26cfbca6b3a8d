#!/usr/bin/env bash
# Make sure the smart card stack the Key bridge tests drive is present and running: pcscd with
# vsmartcard's virtual reader driver (vpcd), OpenSC (the third-party cross-check), and the
# headers pyscard builds against, and Xvfb for the bridge window's smoke test. Installs only
# what is missing; starts pcscd if it is not running (directly, there is no service manager in
# CI). Idempotent; non-zero on failure.
set -euo pipefail

"$(dirname "$0")/apt-ensure.sh" pcscd vsmartcard-vpcd opensc libpcsclite-dev swig xvfb

pid_file=/run/pcscd/pcscd.pid
running() {
    [ -s "$pid_file" ] && kill -0 "$(tr -d '\0\n ' < "$pid_file")" 2>/dev/null
}
# vpcd's reader listens on CHANNELID (hex) of its reader.conf; a pcscd that came up while the
# port was still taken has no virtual reader and is restarted.
channel=$(awk '/CHANNELID/ {print $2}' /etc/reader.conf.d/vpcd 2>/dev/null || true)
port=$(( ${channel:-0x8C7B} ))
listening() {
    ss -ltn 2>/dev/null | grep -q ":$port "
}
start() {
    echo "starting pcscd"
    mkdir -p /run/pcscd
    pcscd
}
running || start
for attempt in 1 2; do
    for _ in $(seq 1 30); do
        if running && listening; then
            echo "pcscd is up (vpcd reader on port $port)"
            exit 0
        fi
        sleep 0.2
    done
    if [ "$attempt" = 1 ]; then
        echo "pcscd has no vpcd reader; restarting it"
        pkill -x pcscd || true
        sleep 1
        start
    fi
done
echo "pcscd did not come up with the vpcd reader" >&2
exit 1
