#!/usr/bin/env bash
# Install with apt-get those of the given Debian packages that are not installed yet.
# Usage: scripts/apt-ensure.sh PACKAGE... ; non-zero when the installation fails.
set -euo pipefail
missing=()
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
