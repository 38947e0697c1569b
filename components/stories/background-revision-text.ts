import type { BackgroundRevisionData } from "./types";

/** "page 2", "pages 1, 3 and 4"; deleted pages (no number) are left out. */
export function pageList(numbers: (number | null)[]): string {
  const known = numbers.filter((n): n is number => n !== null);
  if (known.length === 0) return "";
  return known.length === 1 ? `page ${known[0]}` : `pages ${known.slice(0, -1).join(", ")} and ${known.at(-1)}`;
}

/** "3 of 5 done, 1 failed": the progress bar's value text and the visible progress line. */
export function progressText(r: BackgroundRevisionData): string {
  const parts = [`${r.done} of ${r.total} done`];
  if (r.failed > 0) parts.push(`${r.failed} failed`);
  if (r.cancelled > 0) parts.push(`${r.cancelled} cancelled`);
  return parts.join(", ");
}

export function statusLabel(r: BackgroundRevisionData): string {
  switch (r.status) {
    case "pending":
      return "Starting…";
    case "running":
      return "Revising in the background";
    case "succeeded":
      return "Background revision finished";
    case "failed":
      return "Background revision failed";
    case "cancelled":
      return "Background revision cancelled";
  }
}

type PageRef = { pageNumber: number | null };

const suggestions = (n: number) => `${n} ${n === 1 ? "suggestion" : "suggestions"}`;
/** "page 2" / "pages 1 and 3"; "a deleted page" when none has a number any more. */
const pagesOf = (refs: PageRef[]) =>
  pageList(refs.map((r) => r.pageNumber)) || (refs.length === 1 ? "a deleted page" : "deleted pages");

/**
 * What Apply all did: how many suggestions and on which pages, then each page skipped and why — it changed since
 * the revision read it (its suggestion still waits on the page to compare), or its suggestion was already applied or
 * discarded elsewhere (another tab) or its page deleted.
 */
export function applyAllReport(
  applied: PageRef[],
  stale: PageRef[],
  alreadyResolved: PageRef[] = [],
): { tone: "success" | "warning"; text: string } {
  const parts = [
    applied.length
      ? `Applied ${suggestions(applied.length)}: ${pageList(applied.map((a) => a.pageNumber)) || "on deleted pages"}.`
      : "No suggestion was applied.",
  ];
  if (stale.length)
    parts.push(
      `Skipped ${pagesOf(stale)}: changed since the revision read ${stale.length === 1 ? "it" : "them"}; ${stale.length === 1 ? "its suggestion is" : "their suggestions are"} still waiting on the page to compare.`,
    );
  if (alreadyResolved.length)
    parts.push(
      `Skipped ${pagesOf(alreadyResolved)}: ${alreadyResolved.length === 1 ? "its suggestion was" : "their suggestions were"} already applied or discarded elsewhere.`,
    );
  return { tone: stale.length ? "warning" : "success", text: parts.join(" ") };
}

/** What Discard all did: how many suggestions, on which pages. */
export function discardAllReport(discarded: PageRef[]): { tone: "info"; text: string } {
  if (discarded.length === 0)
    return { tone: "info", text: "No suggestion was left to discard: they were applied or discarded elsewhere." };
  return {
    tone: "info",
    text: `Discarded ${suggestions(discarded.length)}: ${pageList(discarded.map((d) => d.pageNumber)) || "on deleted pages"}. The pages keep their text.`,
  };
}
