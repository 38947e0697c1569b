import type { CodexEntryView } from "@/lib/stories";

/** Words of the codex panel, shared by its parts. */
export const kindLabels = {
  character: "Character",
  place: "Place",
  thing: "Thing",
  lore: "Lore",
  other: "Other",
} as const satisfies Record<CodexEntryView["kind"], string>;

export const kindGroupLabels = {
  character: "Characters",
  place: "Places",
  thing: "Things",
  lore: "Lore",
  other: "Other",
} as const satisfies Record<CodexEntryView["kind"], string>;

export const activationLabels = {
  mentioned: "When mentioned",
  always: "Always",
  never: "Never",
} as const satisfies Record<CodexEntryView["activation"], string>;

export const kinds = Object.keys(kindLabels) as CodexEntryView["kind"][];

/** Case- and width-insensitive, as the server's search is. */
export function fold(text: string): string {
  return text.normalize("NFKC").toLocaleLowerCase();
}

export function matchesSearch(entry: CodexEntryView, query: string): boolean {
  const q = fold(query.trim());
  if (q === "") return true;
  return [entry.name, ...entry.aliases, entry.description].some((text) => fold(text).includes(q));
}

/** Aliases typed as one comma-separated line. */
export function parseAliases(text: string): string[] {
  return text
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
}
