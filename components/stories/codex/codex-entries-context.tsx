"use client";

import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { type MentionableEntry, pageMentionFinder, type PageMentionChip } from "@/lib/stories/codex/page-mentions";

interface CodexEntriesState {
  entries: readonly MentionableEntry[];
  setEntries: (entries: readonly MentionableEntry[]) => void;
  /** The mentioned entries of a text, for the codex as it is now. */
  mentionsOf: (text: string) => PageMentionChip[];
}

const CodexEntriesContext = createContext<CodexEntriesState | null>(null);

/**
 * The story's codex as the page currently knows it, shared by the codex panel (which publishes every change it
 * makes or receives) and the page cards (whose mention chips are recomputed from it and from their text).
 */
export function CodexEntriesProvider({
  initialEntries,
  children,
}: {
  initialEntries: readonly MentionableEntry[];
  children: ReactNode;
}) {
  const [entries, setEntries] = useState(initialEntries);
  const value = useMemo(() => ({ entries, setEntries, mentionsOf: pageMentionFinder(entries) }), [entries]);
  return <CodexEntriesContext.Provider value={value}>{children}</CodexEntriesContext.Provider>;
}

/** Null outside a provider (the codex could not be loaded): the chips then stay as the server computed them. */
export function useCodexEntries(): CodexEntriesState | null {
  return useContext(CodexEntriesContext);
}
