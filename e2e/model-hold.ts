import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * An offline answer that stops after its first word until the test releases it (lib/ai/offline-faults.ts): put
 * `marker` in the instruction, act while the AI is surely still writing, then `release()`.
 */
export function modelHold(): { marker: string; release: () => void } {
  const dir = process.env.OFFLINE_MODEL_HOLD_DIR;
  if (!dir) throw new Error("OFFLINE_MODEL_HOLD_DIR is not set (playwright.config.ts sets it)");
  const name = `hold-${crypto.randomBytes(6).toString("hex")}`;
  return {
    marker: `[offline fault: hold ${name}]`,
    release: () => fs.writeFileSync(path.join(dir, name), ""),
  };
}
