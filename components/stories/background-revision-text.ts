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

/**
 * What Apply all did: the pages that took their suggestion, and those that changed since the revision read them
 * (their suggestions stay, to be compared one by one).
 */
export function applyAllReport(
  applied: { pageNumber: number | null }[],
  stale: { pageNumber: number | null }[],
): { tone: "success" | "warning"; text: string } {
  const appliedText = applied.length
    ? `Applied the suggestions to ${pageList(applied.map((a) => a.pageNumber))}.`
    : "No suggestion could be applied.";
  const staleText = stale.length
    ? ` ${pageList(stale.map((s) => s.pageNumber)).replace(/^p/, "P")} changed since the revision read ${stale.length === 1 ? "it" : "them"}: ${stale.length === 1 ? "its suggestion is" : "their suggestions are"} still waiting on the page to compare.`
    : "";
  return { tone: stale.length ? "warning" : "success", text: appliedText + staleText };
}
