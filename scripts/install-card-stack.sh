#!/usr/bin/env bash
# Make sure the smart card stack the Key bridge tests drive is present and running: pcscd with
# vsmartcard's virtual reader driver (vpcd), OpenSC (the third-party cross-check), and the
# headers pyscard builds against. Installs only what is missing; starts pcscd if it is not
# running (directly, there is no service manager in CI). Idempotent; non-zero on failure.
set -euo pipefail

packages=(pcscd vsmartcard-vpcd opensc libpcsclite-dev swig)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

pid_file=/run/pcscd/pcscd.pid
running() {
    [ -s "$pid_file" ] && kill -0 "$(tr -d '\0\n ' < "$pid_file")" 2>/dev/null
}
if ! running; then
    echo "starting pcscd"
    mkdir -p /run/pcscd
    pcscd
fi
for _ in $(seq 1 30); do
    if running; then
        echo "pcscd is up (vpcd reader: $(grep -s FRIENDLYNAME /etc/reader.conf.d/vpcd || echo missing))"
        exit 0
    fi
    sleep 0.2
done
echo "pcscd did not come up" >&2
exit 1
