#!/usr/bin/env bash
# The headless browser the staff console's browser tests drive: Debian's Chromium (Playwright
# uses it, it downloads no browser) and a CJK font so screenshots show the Chinese pages.
# Installs only what is missing; idempotent; non-zero on failure.
set -euo pipefail

packages=(chromium fonts-noto-cjk)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
command -v chromium >/dev/null
