import { defineConfig, devices } from "@playwright/test";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findChromium } from "./e2e/browser";

// An admin for the admin specs, created by scripts/e2e-server.sh: a real database gets no demo accounts. Set here,
// in the runner, so the server and every worker (which inherit the runner's environment) agree on it.
process.env.E2E_ADMIN_EMAIL ??= `e2e-admin-${crypto.randomBytes(4).toString("hex")}@e2e.test`;
process.env.E2E_ADMIN_PASSWORD ??= `e2e-${crypto.randomBytes(12).toString("hex")}`;
// Where a test releases an offline answer it asked the model to hold (e2e/model-hold.ts, lib/ai/offline-faults.ts).
process.env.OFFLINE_MODEL_HOLD_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "story-sprout-e2e-holds-"));

const port = Number(process.env.E2E_PORT ?? 3100);
// Auth.js rejects sign-in from 127.0.0.1 (Next rewrites it to localhost), so the tests use localhost.
const baseURL = `http://localhost:${port}`;
const browser = findChromium();

export default defineConfig({
  testDir: "./e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: process.env.CI ? 1 : 2,
  forbidOnly: true,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: browser.executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    // The production build (`npm run build` runs first in `npm run test:e2e`).
    command: "bash scripts/e2e-server.sh",
    url: `${baseURL}/sign-in`,
    env: {
      PORT: String(port),
      E2E_ADMIN_EMAIL: process.env.E2E_ADMIN_EMAIL,
      E2E_ADMIN_PASSWORD: process.env.E2E_ADMIN_PASSWORD,
      OFFLINE_MODEL_HOLD_DIR: process.env.OFFLINE_MODEL_HOLD_DIR,
    },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});
