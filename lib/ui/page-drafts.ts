/**
 * Unsaved page text kept in the browser's localStorage, so that what an author typed survives a reload, a crashed
 * tab or a failed save. A draft remembers the page version it was typed over: restoring it saves against that
 * version, so a page changed elsewhere meanwhile still shows the usual conflict instead of being overwritten.
 *
 * Each opening of the editor keeps its text under a key of its own: tabs share localStorage, and a save in one tab
 * must not wipe what another tab typed and never saved. Drafts are cleared when saved or discarded, and all of them
 * on sign-out (they may hold text another person should not see on a shared computer).
 */
const PREFIX = "story-sprout:page-draft:";

export interface PageDraft {
  content: string;
  baseVersion: number;
  /** ISO timestamp of the last keystroke kept. */
  savedAt: string;
}

/** A draft as found in storage, with the key it lives under (to clear exactly it). */
export interface KeptPageDraft extends PageDraft {
  key: string;
}

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    // Storage can be disabled (privacy settings): drafts are then simply not kept.
    return null;
  }
}

function keysWithPrefix(store: Storage, prefix: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  return keys;
}

function parse(raw: string | null): PageDraft | null {
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

/** A fresh key for one editing session of a page (not crypto.randomUUID: it is missing on plain-HTTP origins). */
export function newPageDraftKey(pageId: string): string {
  return `${PREFIX}${pageId}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * The most recent draft of a page whose text differs from `savedContent`. Drafts equal to the saved text are
 * removed on the way (they were saved after all, for example by another tab).
 */
export function latestPageDraft(pageId: string, savedContent: string): KeptPageDraft | null {
  const store = storage();
  if (!store) return null;
  let latest: KeptPageDraft | null = null;
  for (const key of keysWithPrefix(store, `${PREFIX}${pageId}:`)) {
    const draft = parse(store.getItem(key));
    if (!draft || draft.content === savedContent) {
      store.removeItem(key);
      continue;
    }
    if (!latest || draft.savedAt > latest.savedAt) latest = { ...draft, key };
  }
  return latest;
}

export function writePageDraft(key: string, draft: PageDraft): void {
  try {
    storage()?.setItem(key, JSON.stringify(draft));
  } catch {
    // Quota exceeded: the beforeunload warning still protects the text in this tab.
  }
}

export function clearPageDraft(key: string): void {
  storage()?.removeItem(key);
}

export function clearAllPageDrafts(): void {
  const store = storage();
  if (!store) return;
  for (const key of keysWithPrefix(store, PREFIX)) store.removeItem(key);
}
