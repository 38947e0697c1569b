import { and, asc, count, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { type InstructionPreset, instructionPresets } from "@/db/prompts-schema";
import { AppError } from "@/lib/errors";
import { requireActor, type Actor } from "./actor";
import { INSTRUCTION_MAX } from "./limits";
import { idField, parseInput } from "./validation";

/**
 * Instruction presets beside Generate: the built-in ones (code, the same for everyone) and each author's own (a
 * table, visible to and changed by its owner only; someone else's preset id answers NOT_FOUND).
 */

export const PRESETS_PER_USER_MAX = 30;
export const PRESET_LABEL_MAX = 40;

export interface PresetView {
  id: string;
  label: string;
  instruction: string;
  builtin: boolean;
}

export const builtinPresets: readonly PresetView[] = [
  {
    id: "builtin:tighten",
    label: "Tighten",
    instruction: "Tighten the prose: cut repetition and filler words, keep every event and the voice.",
    builtin: true,
  },
  {
    id: "builtin:dialogue",
    label: "Add dialogue",
    instruction: "Add dialogue: let the characters say more of what happens, in their own voices.",
    builtin: true,
  },
  {
    id: "builtin:grammar",
    label: "Fix grammar only",
    instruction: "Fix grammar, spelling and punctuation only; change nothing else.",
    builtin: true,
  },
  {
    id: "builtin:voice",
    label: "Match the voice of the page before",
    instruction: "Match the voice, tense and style of the page before this one.",
    builtin: true,
  },
];

const presetInput = z.object({
  label: z
    .string()
    .trim()
    .min(1, "A preset needs a name.")
    .max(PRESET_LABEL_MAX, `A preset's name can be at most ${PRESET_LABEL_MAX} characters.`),
  instruction: z
    .string()
    .trim()
    .min(1, "A preset needs an instruction.")
    .max(INSTRUCTION_MAX, `An instruction can be at most ${INSTRUCTION_MAX} characters.`),
});

function toView(row: InstructionPreset): PresetView {
  return { id: row.id, label: row.label, instruction: row.instruction, builtin: false };
}

/** The built-in presets, then the actor's own in the order they were saved. */
export async function listPresets(actorOrNull: Actor | null): Promise<PresetView[]> {
  const actor = requireActor(actorOrNull);
  const db = await getDb();
  const own = await db
    .select()
    .from(instructionPresets)
    .where(eq(instructionPresets.userId, actor.id))
    .orderBy(asc(instructionPresets.createdAt), asc(instructionPresets.label));
  return [...builtinPresets, ...own.map(toView)];
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  return e?.code === "23505" || e?.cause?.code === "23505";
}

export async function createPreset(actorOrNull: Actor | null, input: unknown): Promise<PresetView> {
  const actor = requireActor(actorOrNull);
  const { label, instruction } = parseInput(presetInput, input);
  const db = await getDb();
  if (builtinPresets.some((p) => p.label.toLowerCase() === label.toLowerCase())) {
    throw new AppError("VALIDATION", `“${label}” is a built-in preset; choose another name.`, { field: "label" });
  }
  const [{ n }] = (await db
    .select({ n: count() })
    .from(instructionPresets)
    .where(eq(instructionPresets.userId, actor.id))) as [{ n: number }];
  if (Number(n) >= PRESETS_PER_USER_MAX) {
    throw new AppError("LIMIT_EXCEEDED", `You can keep at most ${PRESETS_PER_USER_MAX} presets; delete one first.`);
  }
  try {
    const [row] = await db.insert(instructionPresets).values({ userId: actor.id, label, instruction }).returning();
    return toView(row!);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("VALIDATION", `You already have a preset named “${label}”.`, { field: "label" });
    }
    throw error;
  }
}

const updateInput = presetInput.extend({ id: idField });

export async function updatePreset(actorOrNull: Actor | null, input: unknown): Promise<PresetView> {
  const actor = requireActor(actorOrNull);
  const { id, label, instruction } = parseInput(updateInput, input);
  const db = await getDb();
  try {
    const [row] = await db
      .update(instructionPresets)
      .set({ label, instruction, updatedAt: new Date() })
      .where(and(eq(instructionPresets.id, id), eq(instructionPresets.userId, actor.id)))
      .returning();
    if (!row) throw new AppError("NOT_FOUND", "We couldn't find that preset.");
    return toView(row);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("VALIDATION", `You already have a preset named “${label}”.`, { field: "label" });
    }
    throw error;
  }
}

export async function deletePreset(actorOrNull: Actor | null, input: unknown): Promise<{ deleted: true }> {
  const actor = requireActor(actorOrNull);
  const { id } = parseInput(z.object({ id: idField }), input);
  const db = await getDb();
  const deleted = await db
    .delete(instructionPresets)
    .where(and(eq(instructionPresets.id, id), eq(instructionPresets.userId, actor.id)))
    .returning({ id: instructionPresets.id });
  if (deleted.length === 0) throw new AppError("NOT_FOUND", "We couldn't find that preset.");
  return { deleted: true };
}
