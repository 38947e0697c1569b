/**
 * Unsaved page text kept in the browser's localStorage, so that what an author typed survives a reload, a crashed
 * tab or a failed save. A draft remembers the page version it was typed over: restoring it saves against that
 * version, so a page changed elsewhere meanwhile still shows the usual conflict instead of being overwritten.
 * Drafts are cleared when saved and on sign-out (they may hold text another person should not see on a shared
 * computer).
 */
const PREFIX = "story-sprout:page-draft:";

export interface PageDraft {
  content: string;
  baseVersion: number;
  /** ISO timestamp of the last keystroke kept. */
  savedAt: string;
}

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    // Storage can be disabled (privacy settings): drafts are then simply not kept.
    return null;
  }
}

export function readPageDraft(pageId: string): PageDraft | null {
  const raw = storage()?.getItem(PREFIX + pageId);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<PageDraft>;
    if (
      typeof value.content !== "string" ||
      typeof value.baseVersion !== "number" ||
      typeof value.savedAt !== "string"
    ) {
      return null;
    }
    return { content: value.content, baseVersion: value.baseVersion, savedAt: value.savedAt };
  } catch {
    return null;
  }
}

export function writePageDraft(pageId: string, draft: PageDraft): void {
  try {
    storage()?.setItem(PREFIX + pageId, JSON.stringify(draft));
  } catch {
    // Quota exceeded: the beforeunload warning still protects the text in this tab.
  }
}

export function clearPageDraft(pageId: string): void {
  storage()?.removeItem(PREFIX + pageId);
}

export function clearAllPageDrafts(): void {
  const store = storage();
  if (!store) return;
  const keys: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (key?.startsWith(PREFIX)) keys.push(key);
  }
  for (const key of keys) store.removeItem(key);
}
