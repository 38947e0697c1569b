import { defineConfig } from "vitest/config";
import base from "../../vitest.config";

// bench:models runs under vitest so that it drives the real runner in the embedded engine exactly as the tests do
// (a migrated database per run, the serve handler, the engine), without a Next build. The include list replaces the
// tests' (mergeConfig would add to it and run the whole suite).
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["bench/models/*.bench-run.ts"],
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
