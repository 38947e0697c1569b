import type { CodexActivation, CodexEntry, CodexKind } from "@/db/memory-schema";

/** A codex entry as the app and the REST API show it. */
export interface CodexEntryView {
  id: string;
  storyId: string;
  kind: CodexKind;
  name: string;
  aliases: string[];
  description: string;
  /** How it looks, for illustrations (not part of text prompts). */
  appearance: string;
  activation: CodexActivation;
  /** Tokens the entry takes in a prompt. */
  tokenCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toCodexEntryView(row: CodexEntry): CodexEntryView {
  return {
    id: row.id,
    storyId: row.storyId,
    kind: row.kind,
    name: row.name,
    aliases: row.aliases,
    description: row.description,
    appearance: row.appearance,
    activation: row.activation,
    tokenCount: row.tokenCount,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
