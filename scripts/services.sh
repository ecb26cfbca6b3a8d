#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, trust auth, database "test") and Redis (127.0.0.1:6379)
# are running for the test suite: install them with apt-get if missing, start them if stopped.
# Exits non-zero when either cannot be brought up: a missing component is a failure.
set -euo pipefail
"$(dirname "$0")/install-card-stack.sh"  # pcscd + vpcd + OpenSC for the Key bridge tests
"$(dirname "$0")/install-browser.sh"  # Chromium for the staff console browser tests
"$(dirname "$0")/apt-ensure.sh" golang-cfssl  # the real CA engine the CFSSL adapter is tested on

need_apt=()  # the commands, not the packages, say whether PostgreSQL and Redis are here
command -v pg_isready >/dev/null 2>&1 || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

if ! pg_isready -q -h 127.0.0.1; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
    echo "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

for _ in $(seq 1 30); do
    if pg_isready -q -h 127.0.0.1 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
        echo "PostgreSQL and Redis are up"
        exit 0
    fi
    sleep 1
done
echo "PostgreSQL or Redis did not come up" >&2
exit 1
