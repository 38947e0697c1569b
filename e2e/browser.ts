import fs from "node:fs";
import { chromium } from "@playwright/test";

/**
 * Finds a Chromium to drive: an explicit path, Playwright's own download, or the system's (Debian's `chromium`).
 * Machines without internet cannot download Playwright's browser, so the system package is a first-class option.
 */
export function findChromium(): { executablePath?: string; description: string } {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new Error(`CHROMIUM_PATH=${explicit} does not exist.`);
    return { executablePath: explicit, description: explicit };
  }
  try {
    const managed = chromium.executablePath();
    if (managed && fs.existsSync(managed)) return { description: `Playwright's Chromium (${managed})` };
  } catch {
    // Playwright has no browser of its own here; look for a system one.
  }
  for (const candidate of [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
  ]) {
    if (fs.existsSync(candidate)) return { executablePath: candidate, description: candidate };
  }
  throw new Error(
    [
      "No Chromium found for the browser tests. Install one of:",
      "  - Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y chromium",
      "  - with internet: npx playwright install chromium",
      "  - or point CHROMIUM_PATH at an existing Chromium/Chrome binary.",
    ].join("\n"),
  );
}
