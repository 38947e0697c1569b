/**
 * How a codex entry reads inside a prompt: one line with its name, kind and aliases, then its description. Its token
 * count is stored with the entry (codex_entries.token_count), so prompt assembly that shows entries this way adds
 * stored numbers instead of tokenizing; change the two together.
 */
export interface CodexEntryText {
  kind: string;
  name: string;
  aliases: readonly string[];
  description: string;
}

export function codexEntryPromptText(entry: CodexEntryText): string {
  const aliases = entry.aliases.length > 0 ? `; also called ${entry.aliases.join(", ")}` : "";
  const head = `${entry.name} (${entry.kind}${aliases})`;
  return entry.description.trim() === "" ? head : `${head}: ${entry.description.trim()}`;
}
