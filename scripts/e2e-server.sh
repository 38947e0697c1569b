#!/usr/bin/env bash
# Starts the production build for the browser tests: on DATABASE_URL when it is set (migrated first),
# otherwise on a fresh embedded database in a temporary directory, so every run starts clean.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
PORT="${PORT:-3100}"
if [ -n "${DATABASE_URL:-}" ]; then
  export AUTH_SECRET="${AUTH_SECRET:-e2e-only-secret-$(date +%s)-$RANDOM}"
  npx tsx scripts/migrate.ts
else
  dir="$(mktemp -d -t story-sprout-e2e-XXXXXX)"
  export PGLITE_DIR="$dir/pglite"
  trap 'rm -rf "$dir"' EXIT
fi
npx next start -p "$PORT"
