#!/usr/bin/env bash
# The main flows once more in the embedded mode a newcomer runs (PGlite, embedded engine, offline model), when the
# full browser run used PostgreSQL (CI sets DATABASE_URL). Without DATABASE_URL the full run was embedded already.
# Reuses the build of the run before it (`npm run test:e2e` builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DATABASE_URL:-}" ]; then
  echo "e2e (embedded): the full browser run already used the embedded database; nothing more to run."
  exit 0
fi
echo "e2e (embedded): main flows on PGlite"
env -u DATABASE_URL -u AUTH_SECRET E2E_PORT="${E2E_EMBEDDED_PORT:-3101}" \
  npx playwright test e2e/auth.spec.ts e2e/stories.spec.ts e2e/pages.spec.ts e2e/generate.spec.ts
