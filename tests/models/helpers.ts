import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Writes a model registry file and returns its path (for AI_MODELS_FILE). */
export function writeModelsFile(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "models-"));
  const file = path.join(dir, "models.json");
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

/**
 * Offline models under different ids: "draft" (every task, the default), "fine" (prose only, a small window: a
 * 4,000-token prompt budget) and "cheap" (summaries, roll-ups and codex; the default for summaries).
 */
export const threeOfflineModels = {
  models: [
    { id: "draft", provider: "offline", name: "Draft", contextWindow: 40_000, outputReserveTokens: 4000 },
    {
      id: "fine",
      provider: "offline",
      name: "Fine",
      contextWindow: 5000,
      outputReserveTokens: 1000,
      tasks: ["prose"],
      prices: { inputPerMillion: 1, outputPerMillion: 2 },
    },
    {
      id: "cheap",
      provider: "offline",
      name: "Cheap",
      contextWindow: 20_000,
      tasks: ["summary", "rollup", "codex"],
    },
  ],
  defaults: { summary: "cheap" },
};
