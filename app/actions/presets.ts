"use server";

import type { ActionResult } from "@/lib/action-result";
import { createPreset, deletePreset, listPresets, updatePreset, type PresetView } from "@/lib/stories";
import { runAction } from "./run";

// An author's instruction presets: each function works on the signed-in user's own presets only.

export async function listPresetsAction(): Promise<ActionResult<PresetView[]>> {
  return runAction("listPresets", (actor) => listPresets(actor));
}

export async function createPresetAction(input: unknown): Promise<ActionResult<PresetView>> {
  return runAction("createPreset", (actor) => createPreset(actor, input));
}

export async function updatePresetAction(input: unknown): Promise<ActionResult<PresetView>> {
  return runAction("updatePreset", (actor) => updatePreset(actor, input));
}

export async function deletePresetAction(input: unknown): Promise<ActionResult<{ deleted: true }>> {
  return runAction("deletePreset", (actor) => deletePreset(actor, input));
}
