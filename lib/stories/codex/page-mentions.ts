import type { CodexKind } from "@/db/memory-schema";
import { createMentionMatcher } from "@/lib/ai/context/mentions";

/*
 * Which codex entries a page's text mentions (the chips on a page card). Pure and free of server imports, so the
 * browser runs the very function the server does: the chips follow the text as it is typed and the codex as it is
 * edited, without a round trip, and agree with what the server computes for the same text and entries.
 */

export interface MentionableEntry {
  id: string;
  kind: CodexKind;
  name: string;
  aliases: readonly string[];
}

export interface PageMentionChip {
  entryId: string;
  kind: CodexKind;
  name: string;
}

// The codex panel's order (db/memory-schema codexKinds), kept here so that this module stays out of the database's.
const KIND_ORDER: Record<CodexKind, number> = { character: 0, place: 1, thing: 2, lore: 3, other: 4 };

const byKindThenName = (a: MentionableEntry, b: MentionableEntry) =>
  KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
  a.name.localeCompare(b.name, undefined, { sensitivity: "base" }) ||
  a.id.localeCompare(b.id);

/**
 * A finder for a codex: one matcher built once (the codex changes far less often than the text), then each text's
 * mentioned entries by kind then name, each once.
 */
export function pageMentionFinder(entries: readonly MentionableEntry[]): (text: string) => PageMentionChip[] {
  if (entries.length === 0) return () => [];
  const sorted = [...entries].sort(byKindThenName);
  const matcher = createMentionMatcher(sorted.map((e) => ({ id: e.id, names: [e.name, ...e.aliases] })));
  return (text) => {
    if (text.trim() === "") return [];
    const ids = new Set(matcher.find(text).map((m) => m.id));
    return sorted.filter((e) => ids.has(e.id)).map((e) => ({ entryId: e.id, kind: e.kind, name: e.name }));
  };
}
