import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  clearAllPageDrafts,
  clearPageDraft,
  latestPageDraft,
  newPageDraftKey,
  writePageDraft,
} from "@/lib/ui/page-drafts";

/** localStorage as the browser has it: one store shared by every tab of the origin. */
class MemoryStorage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, v);
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
}

const PAGE = "5f0c6f0e-1111-4222-8333-944444444444";

beforeEach(() => {
  (globalThis as { window?: unknown }).window = { localStorage: new MemoryStorage() };
});
afterEach(() => {
  delete (globalThis as { window?: unknown }).window;
});

describe("page drafts kept in the browser", () => {
  it("offers the latest unsaved draft, and forgets drafts that equal the saved text", () => {
    const tabA = newPageDraftKey(PAGE);
    const tabB = newPageDraftKey(PAGE);
    writePageDraft(tabA, { content: "typed in A", baseVersion: 3, savedAt: "2026-12-02T10:00:00.000Z" });
    writePageDraft(tabB, { content: "typed in B", baseVersion: 3, savedAt: "2026-12-02T10:05:00.000Z" });
    expect(latestPageDraft(PAGE, "saved")).toMatchObject({ content: "typed in B", baseVersion: 3, key: tabB });

    // B's text was saved after all (by another tab): it is no longer a draft, and A's is offered.
    expect(latestPageDraft(PAGE, "typed in B")).toMatchObject({ content: "typed in A", key: tabA });
    expect(latestPageDraft(PAGE, "anything")?.key).toBe(tabA);
  });

  it("a save in one tab clears only that tab's draft, never another tab's unsaved text", () => {
    const tabA = newPageDraftKey(PAGE);
    const tabB = newPageDraftKey(PAGE);
    expect(tabA).not.toBe(tabB);
    writePageDraft(tabA, { content: "A's words", baseVersion: 1, savedAt: "2026-12-02T10:00:00.000Z" });
    writePageDraft(tabB, { content: "B's words", baseVersion: 1, savedAt: "2026-12-02T10:01:00.000Z" });
    clearPageDraft(tabB);
    expect(latestPageDraft(PAGE, "B's words")?.content).toBe("A's words");
  });

  it("ignores unreadable entries and other pages; sign-out clears every draft", () => {
    const store = (globalThis as unknown as { window: { localStorage: MemoryStorage } }).window.localStorage;
    store.setItem(`story-sprout:page-draft:${PAGE}:broken`, "{not json");
    store.setItem("unrelated", "kept");
    writePageDraft(newPageDraftKey("other-page"), { content: "x", baseVersion: 1, savedAt: "2026-12-02T10:00:00Z" });
    expect(latestPageDraft(PAGE, "saved")).toBeNull();
    clearAllPageDrafts();
    expect(store.length).toBe(1);
    expect(store.getItem("unrelated")).toBe("kept");
  });
});
