import type { CodexEntry } from "@/db/memory-schema";
import { cleanText } from "./text";

const kindTitles: Record<CodexEntry["kind"], string> = {
  character: "Characters",
  place: "Places",
  thing: "Things",
  lore: "Lore",
  other: "Other",
};

export const CODEX_TITLE = "Appendix: Codex";

export interface CodexGroup {
  title: string;
  entries: { name: string; aliases: string[]; description: string }[];
}

/** The codex appendix: entries grouped by kind (in the codex's order: kind, then name). */
export function codexGroups(entries: CodexEntry[]): CodexGroup[] {
  const groups: CodexGroup[] = [];
  for (const entry of entries) {
    const title = kindTitles[entry.kind];
    let group = groups.at(-1);
    if (group?.title !== title) {
      group = { title, entries: [] };
      groups.push(group);
    }
    group.entries.push({
      name: cleanText(entry.name),
      aliases: entry.aliases.map(cleanText),
      description: cleanText(entry.description),
    });
  }
  return groups;
}

/** "Also called: …" for an entry with aliases. */
export const aliasLine = (aliases: string[]) => `Also called: ${aliases.join(", ")}`;
