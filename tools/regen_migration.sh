#!/usr/bin/env bash
# Before the first release the schema is one migration, "initial schema", regenerated from the
# models with this script whenever a model changes. After a release, add migrations instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f expo_crm/migrations/versions/0001_initial_schema.py
EXPO_CRM_INSTANCE_PATH="$tmp" EXPO_CRM_DATABASE_URL="sqlite:///$tmp/regen.sqlite3" EXPO_CRM_SECRET_KEY=regen \
  .venv/bin/expo-crm db migrate -m "initial schema" --rev-id 0001 >/dev/null
mv expo_crm/migrations/versions/0001_initial_schema.py "$tmp/m.py"
# Portable types only: sqlite-specific reflections never appear in a generated create.
sed -e 's/^Revision ID: 0001$/Revision ID: 0001/' "$tmp/m.py" > expo_crm/migrations/versions/0001_initial_schema.py
.venv/bin/ruff format -q expo_crm/migrations/versions/0001_initial_schema.py 2>/dev/null || true
echo "regenerated expo_crm/migrations/versions/0001_initial_schema.py"
