import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Tests run server modules outside React's server environment, where "server-only" would throw by design.
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["tests/**/*.test.ts", "lib/**/*.test.ts", "db/**/*.test.ts"],
    exclude: ["node_modules", "e2e", ".next"],
    globalSetup: ["tests/global-setup.ts"],
    environment: "node",
    // next-auth imports "next/server" without an extension, which only a bundler resolves.
    server: { deps: { inline: ["next-auth"] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own database (a PostgreSQL database cloned from a migrated template, or an in-memory
    // PGlite), so files can run in parallel without seeing each other's rows.
    pool: "forks",
    // Fixtures create many jobs per user within a minute; the rate limit's own tests turn it on with vi.stubEnv.
    env: { BCRYPT_COST: "4", NEXT_TELEMETRY_DISABLED: "1", AI_RATE_LIMIT_PER_MINUTE: "0", AI_RETRY_BASE_MS: "20" },
  },
});
