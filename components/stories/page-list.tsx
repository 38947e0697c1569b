"use client";

import { FilePlus2, Plus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { addPageAction, deletePageAction, movePageAction, undeletePageAction } from "@/app/actions/stories";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { callAction } from "@/lib/ui/call-action";
import { BackgroundRevisionPanel } from "./background-revision-panel";
import { PageCard } from "./page-card";
import type { PageMention } from "./page-mentions";
import type { IllustrationView } from "@/lib/stories";
import { usePublishPageCount } from "./story-page-count";
import { useStoryRights } from "./story-rights";
import {
  byPosition,
  toPageData,
  type BackgroundRevisionData,
  type PageData,
  type PageJobData,
  type SuggestionData,
} from "./types";

type FocusTarget = "page-content" | "page-editor" | "page-move-up" | "page-move-down" | "page-add-end";

/**
 * The pages of one story, in order. Server data arrives as props (and again after every router.refresh());
 * moves are shown at once and confirmed by the server; every failure is reported and rolled back.
 */
export function PageList({
  storyId,
  pages: serverPages,
  activeJobs = [],
  suggestions: serverSuggestions = [],
  modelLabel = null,
  backgroundRevision = null,
  mentions = {},
  illustrations = {},
}: {
  storyId: string;
  pages: PageData[];
  /** AI jobs running on this story's pages when the server rendered it (a reload or a second tab mid-job). */
  activeJobs?: PageJobData[];
  /** Open AI suggestions on this story's pages. */
  suggestions?: SuggestionData[];
  /** The configured model's label, e.g. "offline model". */
  modelLabel?: string | null;
  /** The story's running background revision, or the latest one with suggestions left to review. */
  backgroundRevision?: BackgroundRevisionData | null;
  /** Codex entries each page mentions, by page id. */
  mentions?: Record<string, PageMention[]>;
  /** The chosen illustration of each page, by page id. */
  illustrations?: Record<string, IllustrationView>;
}) {
  const router = useRouter();
  const toast = useToast();
  const rights = useStoryRights();
  const [pages, setPages] = useState(serverPages);
  usePublishPageCount(pages.length);
  const [seen, setSeen] = useState(serverPages);
  // Moves in flight: the server's list is taken again once they have all been answered.
  const [movesPending, setMovesPending] = useState(0);
  if (seen !== serverPages) {
    setSeen(serverPages);
    if (movesPending === 0) setPages(serverPages);
  }
  // Suggestions: the server's list wins when it arrives, minus those resolved here meanwhile.
  const [suggestions, setSuggestions] = useState(serverSuggestions);
  const [seenSuggestions, setSeenSuggestions] = useState(serverSuggestions);
  const resolvedSuggestions = useRef(new Set<string>());
  if (seenSuggestions !== serverSuggestions) {
    setSeenSuggestions(serverSuggestions);
    setSuggestions(serverSuggestions.filter((s) => !resolvedSuggestions.current.has(s.id)));
  }
  // Pages ticked for a background revision.
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [moving, setMoving] = useState<Record<string, number>>({});
  const [adding, setAdding] = useState<string | "end" | null>(null);
  const [deleting, setDeleting] = useState<Set<string>>(() => new Set());
  // The page just added opens in its editor, as a new page does in a word processor: the author adds it to write.
  const [addedPageId, setAddedPageId] = useState<string | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const focusRequest = useRef<{ pageId: string | null; target: FocusTarget } | null>(null);
  // The latest order, including moves not yet confirmed, for presses that follow each other quickly.
  const pagesRef = useRef(pages);
  const moveQueue = useRef<Promise<void>>(Promise.resolve());
  const movesInFlight = useRef(0);
  const moveFailure = useRef<string | null>(null);
  // Adding waits for moves to land: the new page is placed by the positions the server confirmed.
  const busy = adding !== null || movesPending > 0;

  useLayoutEffect(() => {
    pagesRef.current = pages;
  }, [pages]);

  // Moves, additions and deletions re-render the list; put keyboard focus where the author expects it.
  useEffect(() => {
    const request = focusRequest.current;
    if (!request || !listRef.current) return;
    const scope = request.pageId
      ? listRef.current.querySelector<HTMLElement>(`[data-page-id="${request.pageId}"]`)
      : listRef.current;
    const target = scope?.querySelector<HTMLElement>(`[data-testid="${request.target}"]`);
    focusRequest.current = null;
    if (target) {
      target.focus();
      target.scrollIntoView({ block: "nearest" });
    }
  });

  function suggestionAdded(suggestion: SuggestionData) {
    if (resolvedSuggestions.current.has(suggestion.id)) return;
    setSuggestions((all) => [suggestion, ...all.filter((s) => s.id !== suggestion.id)]);
  }

  function suggestionResolved(suggestionId: string) {
    resolvedSuggestions.current.add(suggestionId);
    setSuggestions((all) => all.filter((s) => s.id !== suggestionId));
  }

  function upsert(page: PageData) {
    setPages((all) => [...all.filter((p) => p.id !== page.id), page].sort(byPosition));
  }

  /**
   * A page the server just added or restored: put in its place, with keyboard focus on its text. An added page opens
   * in its editor; a restored one (Undo of a delete) is shown as it was.
   */
  function showNewPage(row: Parameters<typeof toPageData>[0], { edit }: { edit: boolean }) {
    const page = toPageData(row);
    upsert(page);
    if (edit) setAddedPageId(page.id);
    focusRequest.current = { pageId: page.id, target: edit ? "page-editor" : "page-content" };
  }

  function changed(page: PageData) {
    setPages((all) => all.map((p) => (p.id === page.id ? page : p)));
    router.refresh();
  }

  /**
   * Moves are shown at once and sent to the server one after another, so pressing Move down three times quickly
   * moves the page three places. If one fails, the rest are dropped and the list goes back to the server's order.
   */
  function move(pageId: string, direction: "up" | "down") {
    const current = pagesRef.current;
    const index = current.findIndex((p) => p.id === pageId);
    const target = direction === "up" ? index - 1 : index + 1;
    if (index < 0 || target < 0 || target >= current.length) return;
    const reordered = [...current];
    [reordered[index], reordered[target]] = [reordered[target]!, reordered[index]!];
    pagesRef.current = reordered;
    setPages(reordered);
    const focusTarget = direction === "up" ? "page-move-up" : "page-move-down";
    focusRequest.current = { pageId, target: focusTarget };
    movesInFlight.current += 1;
    setMovesPending((n) => n + 1);
    setMoving((m) => ({ ...m, [pageId]: (m[pageId] ?? 0) + 1 }));

    moveQueue.current = moveQueue.current.then(async () => {
      if (!moveFailure.current) {
        const result = await callAction(() => movePageAction({ pageId, direction }));
        if (result.ok) {
          const { position } = result.data;
          setPages((all) => all.map((p) => (p.id === pageId ? { ...p, position } : p)));
        } else {
          moveFailure.current = result.error.message;
        }
      }
      movesInFlight.current -= 1;
      setMovesPending((n) => n - 1);
      setMoving((m) => {
        const next = { ...m, [pageId]: (m[pageId] ?? 1) - 1 };
        if (next[pageId]! <= 0) delete next[pageId];
        return next;
      });
      if (movesInFlight.current === 0) {
        const failure = moveFailure.current;
        moveFailure.current = null;
        if (failure) {
          // Back to the order the confirmed positions say, then the server's own list.
          setPages((all) => [...all].sort(byPosition));
          toast.error(failure);
        }
        router.refresh();
      }
    });
  }

  async function add(afterPageId: string | null) {
    if (busy) return;
    setAdding(afterPageId ?? "end");
    const result = await callAction(() => addPageAction({ storyId, afterPageId }));
    setAdding(null);
    if (!result.ok) {
      toast.error(result.error.message);
      return;
    }
    showNewPage(result.data, { edit: true });
    router.refresh();
  }

  async function remove(page: PageData) {
    const index = pages.findIndex((p) => p.id === page.id);
    setDeleting((s) => new Set(s).add(page.id));
    const result = await callAction(() => deletePageAction({ pageId: page.id }));
    setDeleting((s) => {
      const next = new Set(s);
      next.delete(page.id);
      return next;
    });
    if (!result.ok) {
      toast.error(result.error.message);
      return;
    }
    const neighbour = pages[index + 1] ?? pages[index - 1];
    setPages((all) => all.filter((p) => p.id !== page.id));
    focusRequest.current = neighbour
      ? { pageId: neighbour.id, target: "page-content" }
      : { pageId: null, target: "page-add-end" };
    toast.show({
      message: `Page ${index + 1} deleted.`,
      action: { label: "Undo", testId: "toast-undo", onClick: () => void undo(page.id) },
    });
    router.refresh();
  }

  async function undo(pageId: string) {
    const result = await callAction(() => undeletePageAction({ pageId }));
    if (!result.ok) {
      toast.error(result.error.message);
      return;
    }
    showNewPage(result.data, { edit: false });
    toast.success("Page restored.");
    router.refresh();
  }

  return (
    <section id="pages" aria-labelledby="pages-heading" className="space-y-4">
      <h2 id="pages-heading" className="sr-only">
        Pages
      </h2>
      {rights.generate && (pages.length > 0 || backgroundRevision) ? (
        <BackgroundRevisionPanel
          storyId={storyId}
          pages={pages}
          selected={selected}
          onSelectAll={(all) =>
            setSelected(all ? new Set(pages.filter((p) => p.content.trim() !== "").map((p) => p.id)) : new Set())
          }
          onClearSelection={() => setSelected(new Set())}
          initial={backgroundRevision}
        />
      ) : null}
      <div ref={listRef} data-testid="page-list" aria-busy={movesPending > 0 || adding !== null || undefined}>
        {pages.length === 0 ? (
          <div
            data-testid="pages-empty"
            className="flex flex-col items-center rounded-2xl border border-dashed border-stone-300 bg-white/60 px-6 py-12 text-center"
          >
            <span className="flex size-12 items-center justify-center rounded-full bg-emerald-50 text-emerald-700">
              <FilePlus2 aria-hidden="true" className="size-6" />
            </span>
            <h3 className="mt-4 font-semibold text-stone-900">This story has no pages yet</h3>
            {rights.edit ? (
              <p className="mt-1 max-w-sm text-sm text-stone-600">Add the first page below and start writing.</p>
            ) : null}
          </div>
        ) : (
          <ol className="space-y-4">
            {pages.map((page, index) => (
              <PageCard
                key={page.id}
                page={page}
                startEditing={page.id === addedPageId}
                index={index}
                total={pages.length}
                listBusy={busy}
                savingOrder={Boolean(moving[page.id])}
                adding={adding === page.id}
                deleting={deleting.has(page.id)}
                activeJob={activeJobs.find((j) => j.pageId === page.id) ?? null}
                suggestions={suggestions.filter((s) => s.pageId === page.id)}
                modelLabel={modelLabel}
                selected={selected.has(page.id)}
                onSelectedChange={(on) =>
                  setSelected((s) => {
                    const next = new Set(s);
                    if (on) next.add(page.id);
                    else next.delete(page.id);
                    return next;
                  })
                }
                onSuggestionAdded={suggestionAdded}
                onSuggestionResolved={suggestionResolved}
                onChanged={changed}
                onMove={(direction) => move(page.id, direction)}
                onAddAfter={() => void add(page.id)}
                onDelete={() => void remove(page)}
                mentions={mentions[page.id]}
                illustration={illustrations[page.id] ?? null}
              />
            ))}
          </ol>
        )}
        {rights.edit ? (
          <div className="mt-4">
            <Button
              data-testid="page-add-end"
              variant="secondary"
              className="w-full justify-center border-dashed py-6 text-stone-600 hover:text-stone-900"
              softDisabled
              disabled={busy}
              pending={adding === "end"}
              onClick={() => void add(null)}
              icon={<Plus aria-hidden="true" className="size-4" />}
            >
              {adding === "end"
                ? "Adding a page…"
                : pages.length === 0
                  ? "Add the first page"
                  : "Add a page at the end"}
            </Button>
          </div>
        ) : null}
      </div>
    </section>
  );
}
