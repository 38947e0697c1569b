import type { CodexKind } from "@/db/memory-schema";

export interface PageMention {
  entryId: string;
  kind: CodexKind;
  name: string;
}

/** The codex entries a page's text mentions, as small chips under its top bar. */
export function PageMentions({ mentions, pageNumber }: { mentions: PageMention[]; pageNumber: number }) {
  if (mentions.length === 0) return null;
  return (
    <ul
      data-testid="page-mentions"
      aria-label={`Codex entries mentioned on page ${pageNumber}`}
      className="flex flex-wrap gap-1.5 px-4 pt-3 sm:px-5"
    >
      {mentions.map((m) => (
        <li
          key={m.entryId}
          data-testid="page-mention"
          data-entry-id={m.entryId}
          title={m.kind}
          className="rounded-full border border-emerald-200 bg-emerald-50 px-2 py-0.5 text-xs text-emerald-900"
        >
          {m.name}
        </li>
      ))}
    </ul>
  );
}
