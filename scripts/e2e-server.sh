#!/usr/bin/env bash
# Starts the production build for the browser tests: on DATABASE_URL when it is set (migrated first),
# otherwise on a fresh embedded database, so every run starts clean.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
PORT="${PORT:-3100}"
# The offline model types slowly enough that the browser tests can watch the text stream in, cancel it mid-way and
# reload during a job (the app's default is 35 ms per word).
export OFFLINE_MODEL_MS_PER_WORD="${OFFLINE_MODEL_MS_PER_WORD:-80}"
# Specs ask the offline model for faults by a prompt marker: e2e/tabs.spec.ts to watch retries, others to hold an
# answer until they release it (e2e/model-hold.ts; OFFLINE_MODEL_HOLD_DIR comes from playwright.config.ts).
export OFFLINE_MODEL_FAULTS="${OFFLINE_MODEL_FAULTS:-1}"
# Retries 3 s, 6 s, 12 s apart: long enough for a tab to show each wait (the story's stream polls every second).
export AI_RETRY_BASE_MS="${AI_RETRY_BASE_MS:-3000}"
# Every browser test signs up or in from 127.0.0.1: the per-address limit (tests/auth/throttle.test.ts) would stop
# the run; the per-account limit stays as it is (e2e/auth.spec.ts).
export AUTH_ATTEMPTS_PER_ADDRESS="${AUTH_ATTEMPTS_PER_ADDRESS:-100000}"
# A page's summary follows its last edit after a couple of seconds instead of 30, so that e2e/summaries.spec.ts sees
# it appear (specs that count jobs wait for it or filter by type).
export SUMMARY_DEBOUNCE_SECONDS="${SUMMARY_DEBOUNCE_SECONDS:-2}"
if [ -n "${DATABASE_URL:-}" ]; then
  export AUTH_SECRET="${AUTH_SECRET:-e2e-only-secret-$(date +%s)-$RANDOM}"
  npx tsx --conditions=react-server scripts/migrate.ts
else
  export PGLITE_DIR="$PWD/.data/e2e-$PORT/pglite"
  rm -rf "$PWD/.data/e2e-$PORT"
fi
if [ -n "${E2E_ADMIN_EMAIL:-}" ]; then
  ADMIN_PASSWORD="${E2E_ADMIN_PASSWORD:?E2E_ADMIN_PASSWORD goes with E2E_ADMIN_EMAIL}" npx tsx --conditions=react-server scripts/create-admin.ts "$E2E_ADMIN_EMAIL" "E2E Admin"
fi
# exec: Playwright stops the server by signalling this process, so it must be the server itself.
exec node_modules/.bin/next start -p "$PORT"
