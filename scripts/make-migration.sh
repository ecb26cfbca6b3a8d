#!/usr/bin/env bash
# After changing models/: write the migration NAME for both SQLite and PostgreSQL, using scratch
# databases (PostgreSQL at 127.0.0.1:5432 with trust auth, as in development and CI).
set -euo pipefail
name=${1:?usage: scripts/make-migration.sh NAME}
cd "$(dirname "$0")/.."
py=${PY:-.venv/bin/python}
scratch=$(mktemp -d)
pgdb="certdesk_makemigration_$$"
trap 'rm -rf "$scratch"; psql -q -h 127.0.0.1 -d test -c "DROP DATABASE IF EXISTS $pgdb" >/dev/null' EXIT
psql -q -h 127.0.0.1 -d test -c "CREATE DATABASE $pgdb"
for url in "sqlite://$scratch/scratch.sqlite3" "postgres://root@127.0.0.1:5432/$pgdb"; do
    "$py" -c 'import asyncio, sys; from bot.db import make_migration
print(asyncio.run(make_migration(sys.argv[1], sys.argv[2])) or "no changes")' "$url" "$name"
done
