"use client";

import { Bot, RotateCcw, User } from "lucide-react";
import { useCallback, useEffect, useId, useState } from "react";
import { listRevisionsAction, restoreRevisionAction } from "@/app/actions/stories";
import { Alert } from "@/components/ui/alert";
import { Select } from "@/components/ui/input";
import { Button, focusRing } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingBlock } from "@/components/ui/spinner";
import { useToast } from "@/components/ui/toast";
import { callAction } from "@/lib/ui/call-action";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";
import { useStoryRights } from "./story-rights";
import { toPageData, type PageData } from "./types";
import { WordDiffView } from "./word-diff-view";

interface Revision {
  id: string;
  version: number;
  content: string;
  source: "human" | "ai";
  authorName: string | null;
  createdAt: string;
}

type LoadState =
  | { status: "loading" }
  | { status: "error"; message: string }
  | { status: "ready"; revisions: Revision[] };

/** The page's revisions, newest first, with a preview and Restore (which itself becomes a new revision). */
export function HistoryPanel({
  page,
  pageNumber,
  onRestored,
  onClose,
}: {
  page: PageData;
  pageNumber: number;
  onRestored: (page: PageData) => void;
  onClose: () => void;
}) {
  const toast = useToast();
  const compareSelectId = useId();
  const [state, setState] = useState<LoadState>({ status: "loading" });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [restoring, setRestoring] = useState(false);
  const { edit: canEdit } = useStoryRights();
  const [restoreError, setRestoreError] = useState<string | null>(null);
  /** Which version the selected one is compared with: null = the default, "none" = just read the text. */
  const [compareId, setCompareId] = useState<string | null>(null);

  const load = useCallback(
    async (select?: "newest") => {
      setState((s) => (s.status === "ready" ? s : { status: "loading" }));
      const result = await callAction(() => listRevisionsAction({ pageId: page.id }));
      if (!result.ok) {
        setState({ status: "error", message: result.error.message });
        return;
      }
      const revisions = result.data.map((r) => ({
        id: r.id,
        version: r.version,
        content: r.content,
        source: r.source,
        authorName: r.authorName,
        createdAt: new Date(r.createdAt).toISOString(),
      }));
      setState({ status: "ready", revisions });
      setSelectedId((current) =>
        select === "newest" || !current || !revisions.some((r) => r.id === current)
          ? (revisions[0]?.id ?? null)
          : current,
      );
    },
    [page.id],
  );

  useEffect(() => {
    // Loading the history is the point of opening the panel.
    void load();
  }, [load]);

  // A newer version of the page arrived while the panel is open (the AI wrote it, an undo, a restore): the list
  // follows, so it never offers to restore the text the page already has.
  const [loadedFor, setLoadedFor] = useState(page.version);
  useEffect(() => {
    if (loadedFor === page.version) return;
    setLoadedFor(page.version);
    void load("newest");
  }, [page.version, loadedFor, load]);

  const revisions = state.status === "ready" ? state.revisions : [];
  const selected = revisions.find((r) => r.id === selectedId) ?? null;
  const isCurrent = selected !== null && selected.version === page.version;
  const currentRevision = revisions.find((r) => r.version === page.version) ?? null;
  // By default an older version is compared with the current text (what restoring it would change).
  const compareTarget =
    compareId === "none"
      ? null
      : compareId
        ? (revisions.find((r) => r.id === compareId && r.id !== selected?.id) ?? null)
        : isCurrent
          ? null
          : currentRevision;

  async function restore() {
    if (!selected || restoring) return;
    setRestoring(true);
    setRestoreError(null);
    const result = await callAction(() =>
      restoreRevisionAction({ pageId: page.id, revisionId: selected.id, baseVersion: page.version }),
    );
    setRestoring(false);
    if (!result.ok) {
      const current = result.error.details?.current as
        | { content?: unknown; version?: unknown; updatedAt?: unknown }
        | undefined;
      if (
        result.error.code === "CONFLICT" &&
        current &&
        typeof current.content === "string" &&
        typeof current.version === "number"
      ) {
        onRestored({
          ...page,
          content: current.content,
          version: current.version,
          updatedAt: typeof current.updatedAt === "string" ? current.updatedAt : page.updatedAt,
        });
        setRestoreError(
          "This page changed somewhere else since the history was loaded. The list is up to date now: check it and restore again if you still want to.",
        );
        void load();
        return;
      }
      setRestoreError(result.error.message);
      return;
    }
    onRestored(toPageData(result.data));
    toast.success(`Restored version ${selected.version} as version ${result.data.version}.`);
    await load("newest");
  }

  return (
    <Dialog
      variant="sheet"
      testId="history-panel"
      closeTestId="history-close"
      title={`History of page ${pageNumber}`}
      description="Every saved change is kept. Restoring an old version saves it as a new version; nothing is lost."
      onClose={onClose}
    >
      {state.status === "loading" ? (
        <LoadingBlock label="Loading history…" className="p-5" />
      ) : state.status === "error" ? (
        <div className="space-y-3 p-5">
          <Alert tone="error">{state.message}</Alert>
          <Button size="sm" onClick={() => void load()}>
            Try again
          </Button>
        </div>
      ) : (
        <div className="grid min-h-0 flex-1 grid-rows-[minmax(0,14rem)_minmax(0,1fr)] sm:grid-cols-[15rem_minmax(0,1fr)] sm:grid-rows-1">
          <ul
            aria-label="Versions"
            className="min-h-0 overflow-y-auto border-b border-stone-100 p-2 sm:border-r sm:border-b-0"
          >
            {revisions.map((revision) => {
              const active = revision.id === selectedId;
              return (
                <li key={revision.id}>
                  <button
                    type="button"
                    data-testid="history-item"
                    data-version={revision.version}
                    aria-current={active ? "true" : undefined}
                    onClick={() => {
                      setSelectedId(revision.id);
                      setRestoreError(null);
                    }}
                    className={cn(
                      "w-full rounded-lg px-3 py-2.5 text-left text-sm transition-colors",
                      focusRing,
                      active ? "bg-emerald-50 ring-1 ring-emerald-200" : "hover:bg-stone-50",
                    )}
                  >
                    <span className="flex items-center justify-between gap-2">
                      <span className="font-medium text-stone-900">Version {revision.version}</span>
                      <SourceBadge source={revision.source} />
                    </span>
                    <span className="mt-0.5 flex flex-wrap items-center gap-x-1.5 text-xs text-stone-500">
                      <RelativeTime date={revision.createdAt} />
                      <span aria-hidden="true">·</span>
                      <span>{revision.authorName ?? (revision.source === "ai" ? "AI" : "Unknown author")}</span>
                    </span>
                    {revision.version === page.version ? (
                      <span className="mt-1 inline-block rounded-full bg-stone-100 px-2 py-0.5 text-[11px] font-medium text-stone-600">
                        Current
                      </span>
                    ) : null}
                  </button>
                </li>
              );
            })}
          </ul>
          <div className="flex min-h-0 flex-col">
            {selected ? (
              <>
                <div className="flex flex-wrap items-center justify-between gap-2 border-b border-stone-100 px-5 py-3">
                  <div className="text-sm text-stone-600">
                    <span className="font-medium text-stone-900">Version {selected.version}</span> ·{" "}
                    {formatCount(selected.content.length)} characters
                  </div>
                  {canEdit ? (
                    <Button
                      data-testid="history-restore"
                      size="sm"
                      variant="primary"
                      pending={restoring}
                      disabled={isCurrent}
                      onClick={() => void restore()}
                      icon={<RotateCcw aria-hidden="true" className="size-4" />}
                      title={isCurrent ? "This is the page's current text" : undefined}
                    >
                      {restoring ? "Restoring…" : isCurrent ? "Current version" : `Restore version ${selected.version}`}
                    </Button>
                  ) : null}
                </div>
                {restoreError ? (
                  <Alert tone="error" className="mx-5 mt-3">
                    {restoreError}
                  </Alert>
                ) : null}
                <div className="flex flex-wrap items-center gap-2 px-5 pt-3 text-sm">
                  <label htmlFor={compareSelectId} className="text-stone-600">
                    Compare with
                  </label>
                  <Select
                    id={compareSelectId}
                    data-testid="history-compare"
                    value={compareTarget?.id ?? "none"}
                    onChange={(e) => setCompareId(e.target.value)}
                    className="h-8 w-auto"
                  >
                    <option value="none">Nothing (read this version)</option>
                    {revisions
                      .filter((r) => r.id !== selected.id)
                      .map((r) => (
                        <option key={r.id} value={r.id}>
                          Version {r.version}
                          {r.version === page.version ? " (current)" : ""}
                        </option>
                      ))}
                  </Select>
                </div>
                {compareTarget ? (
                  <div className="min-h-0 flex-1 overflow-y-auto px-5 py-3">
                    <WordDiffView
                      before={compareTarget.content}
                      after={selected.content}
                      label={`Changes from version ${compareTarget.version} to version ${selected.version}`}
                      testId="history-diff"
                      className="max-h-none"
                    />
                  </div>
                ) : null}
                <section
                  hidden={compareTarget !== null}
                  data-testid="history-preview"
                  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it (axe scrollable-region-focusable, WCAG 2.1.1); it is a named region
                  tabIndex={0}
                  aria-label={`Text of version ${selected.version}`}
                  className={cn(
                    "min-h-0 flex-1 overflow-y-auto px-5 py-4 font-serif text-[15px] leading-7 whitespace-pre-wrap text-stone-800",
                    "outline-none focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:ring-inset",
                    "empty:before:text-stone-500 empty:before:italic empty:before:content-['(empty_page)']",
                  )}
                >
                  {selected.content}
                </section>
              </>
            ) : (
              <p className="p-5 text-sm text-stone-500">No versions yet.</p>
            )}
          </div>
        </div>
      )}
    </Dialog>
  );
}

function SourceBadge({ source }: { source: "human" | "ai" }) {
  return source === "ai" ? (
    <span
      data-testid="history-source"
      data-source="ai"
      className="inline-flex items-center gap-1 rounded-full bg-violet-50 px-2 py-0.5 text-[11px] font-medium text-violet-700 ring-1 ring-violet-200"
    >
      <Bot aria-hidden="true" className="size-3" />
      AI
    </span>
  ) : (
    <span
      data-testid="history-source"
      data-source="human"
      className="inline-flex items-center gap-1 rounded-full bg-stone-100 px-2 py-0.5 text-[11px] font-medium text-stone-600"
    >
      <User aria-hidden="true" className="size-3" />
      Human
    </span>
  );
}
