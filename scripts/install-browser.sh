#!/usr/bin/env bash
# The headless browser the staff console's browser tests drive: Debian's Chromium (Playwright
# uses it, it downloads no browser) and a CJK font so screenshots show the Chinese pages.
# Installs only what is missing; idempotent; non-zero on failure.
set -euo pipefail

"$(dirname "$0")/apt-ensure.sh" chromium fonts-noto-cjk
command -v chromium >/dev/null
