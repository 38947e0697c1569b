"use client";

import { BookOpen, FileText, Pencil, Trash2, User } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type Dispatch, type ReactNode, type SetStateAction, useRef, useState } from "react";
import { deleteStoryAction, updateStoryAction } from "@/app/actions/stories";
import { Button, focusRing } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { RelativeTime } from "@/components/ui/relative-time";
import { useToast } from "@/components/ui/toast";
import { callAction } from "@/lib/ui/call-action";
import { cn } from "@/lib/ui/cn";
import { pluralize } from "@/lib/ui/format";
import { restoreFocusNextFrame } from "@/lib/ui/restore-focus";
import { storyTitleError } from "@/lib/ui/story-field-errors";
import { InlineEdit } from "./inline-edit";
import { StoryCreateForm } from "./story-create-form";
import type { StoryRowData } from "./types";

export function StoryList({
  stories,
  showOwner,
  currentUserName,
}: {
  stories: StoryRowData[];
  showOwner: boolean;
  currentUserName: string;
}) {
  const router = useRouter();
  const toast = useToast();
  const [rows, setRows] = useState(stories);
  // The server's list wins whenever it arrives (after router.refresh() or a revalidation).
  const [seen, setSeen] = useState(stories);
  if (seen !== stories) {
    setSeen(stories);
    setRows(stories);
  }

  return (
    <div className="space-y-8">
      <StoryCreateForm
        onCreated={(story) => {
          setRows((all) => [
            { ...story, ownerName: currentUserName, role: "owner" },
            ...all.filter((s) => s.id !== story.id),
          ]);
          toast.success(`Created “${story.title}”.`);
          router.refresh();
        }}
      />

      {showOwner ? (
        <StorySection
          id="stories-heading"
          heading="All stories"
          testId="stories-all"
          rows={rows}
          showOwner
          setRows={setRows}
          empty={<NoStories />}
        />
      ) : (
        <>
          <StorySection
            id="stories-heading"
            heading="Mine"
            testId="stories-mine"
            rows={rows.filter((s) => s.role === "owner")}
            showOwner={false}
            setRows={setRows}
            empty={<NoStories />}
          />
          {rows.some((s) => s.role !== "owner") ? (
            <StorySection
              id="stories-shared-heading"
              heading="Shared with me"
              testId="stories-shared"
              rows={rows.filter((s) => s.role !== "owner")}
              showOwner
              setRows={setRows}
            />
          ) : null}
        </>
      )}
    </div>
  );
}

function NoStories() {
  return (
    <div
      data-testid="stories-empty"
      className="flex flex-col items-center rounded-2xl border border-dashed border-stone-300 bg-white/60 px-6 py-14 text-center"
    >
      <span className="flex size-12 items-center justify-center rounded-full bg-emerald-50 text-emerald-700">
        <BookOpen aria-hidden="true" className="size-6" />
      </span>
      <h3 className="mt-4 font-semibold text-stone-900">No stories yet</h3>
      <p className="mt-1 max-w-sm text-sm text-stone-600">
        Give your first story a title above. You can add pages and a description once it exists.
      </p>
    </div>
  );
}

/** One list of stories under its heading: the author's own ("Mine"), those shared with them, or all (admins). */
function StorySection({
  id,
  heading,
  testId,
  rows,
  showOwner,
  setRows,
  empty = null,
}: {
  id: string;
  heading: string;
  testId: string;
  rows: StoryRowData[];
  showOwner: boolean;
  setRows: Dispatch<SetStateAction<StoryRowData[]>>;
  empty?: ReactNode;
}) {
  return (
    <section aria-labelledby={id} data-testid={testId}>
      <div className="mb-3 flex items-baseline justify-between">
        <h2 id={id} className="text-sm font-semibold tracking-wide text-stone-600 uppercase">
          {heading}
        </h2>
        {rows.length > 0 ? (
          <span className="text-sm text-stone-600">{pluralize(rows.length, "story", "stories")}</span>
        ) : null}
      </div>
      {rows.length === 0 ? (
        empty
      ) : (
        <ul className="divide-y divide-stone-200 overflow-hidden rounded-2xl border border-stone-200 bg-white shadow-sm">
          {rows.map((story) => (
            <StoryRow
              key={story.id}
              story={story}
              showOwner={showOwner}
              onRenamed={(title, updatedAt) =>
                setRows((all) => all.map((s) => (s.id === story.id ? { ...s, title, updatedAt } : s)))
              }
              onDeleted={() => {
                // Keyboard focus moves to the next story (or the previous one, or the create form).
                const index = rows.findIndex((s) => s.id === story.id);
                const neighbour = rows[index + 1] ?? rows[index - 1];
                setRows((all) => all.filter((s) => s.id !== story.id));
                requestAnimationFrame(() => {
                  const target = neighbour
                    ? document.querySelector<HTMLElement>(
                        `[data-story-id="${neighbour.id}"] [data-testid="story-link"]`,
                      )
                    : document.querySelector<HTMLElement>('[data-testid="story-create-title"]');
                  target?.focus();
                });
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function StoryRow({
  story,
  showOwner,
  onRenamed,
  onDeleted,
}: {
  story: StoryRowData;
  showOwner: boolean;
  onRenamed: (title: string, updatedAt: string) => void;
  onDeleted: () => void;
}) {
  const router = useRouter();
  const toast = useToast();
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const renameButton = useRef<HTMLButtonElement>(null);

  async function rename(title: string): Promise<string | null> {
    const result = await callAction(() => updateStoryAction({ storyId: story.id, title }));
    if (!result.ok) return result.error.message;
    onRenamed(result.data.title, new Date(result.data.updatedAt).toISOString());
    router.refresh();
    return null;
  }

  async function remove() {
    setDeleting(true);
    setDeleteError(null);
    const result = await callAction(() => deleteStoryAction({ storyId: story.id }));
    setDeleting(false);
    if (!result.ok) {
      setDeleteError(result.error.message);
      return;
    }
    setConfirming(false);
    onDeleted();
    toast.show({ message: `Deleted “${story.title}”.`, tone: "success" });
    router.refresh();
  }

  return (
    <li
      data-testid="story-row"
      data-story-id={story.id}
      className="group flex flex-col gap-3 px-5 py-4 transition-colors hover:bg-stone-50/80 sm:flex-row sm:items-center sm:gap-6"
    >
      <div className="min-w-0 flex-1">
        {renaming ? (
          <InlineEdit
            value={story.title}
            label={`New title for “${story.title}”`}
            testId="story-rename-input"
            validate={storyTitleError}
            onSave={rename}
            onEnd={(how) => {
              setRenaming(false);
              if (how !== "blur") restoreFocusNextFrame(() => renameButton.current);
            }}
          />
        ) : (
          <Link
            href={`/stories/${story.id}`}
            data-testid="story-link"
            className={cn(
              "block truncate rounded text-base font-semibold text-stone-900 hover:text-emerald-800 hover:underline underline-offset-4",
              focusRing,
            )}
          >
            {story.title}
          </Link>
        )}
        {story.description && !renaming ? (
          <p className="mt-0.5 line-clamp-1 text-sm text-stone-600">{story.description}</p>
        ) : null}
        <p className="mt-1.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-stone-500">
          <span className="inline-flex items-center gap-1">
            <FileText aria-hidden="true" className="size-3.5" />
            <span data-testid="story-page-count">{pluralize(story.pageCount, "page")}</span>
          </span>
          <RelativeTime testId="story-updated" date={story.updatedAt} prefix="Edited" />
          {story.role && story.role !== "owner" ? (
            <span data-testid="story-role" className="rounded bg-stone-100 px-1.5 py-0.5 font-medium text-stone-700">
              {story.role === "editor" ? "Editor" : "Reader"}
            </span>
          ) : null}
          {showOwner ? (
            <span data-testid="story-owner" className="inline-flex items-center gap-1">
              <User aria-hidden="true" className="size-3.5" />
              <span className="sr-only">Owner:</span>
              {story.ownerName}
            </span>
          ) : null}
        </p>
      </div>
      <div className="flex shrink-0 items-center gap-1">
        {story.role !== "reader" ? (
          <Button
            ref={renameButton}
            data-testid="story-rename"
            variant="ghost"
            size="sm"
            aria-label={`Rename “${story.title}”`}
            disabled={renaming}
            onClick={() => setRenaming(true)}
            icon={<Pencil aria-hidden="true" className="size-4" />}
          >
            Rename
          </Button>
        ) : null}
        {story.role === "owner" || story.role === null ? (
          <Button
            data-testid="story-delete"
            variant="ghost-danger"
            size="sm"
            aria-label={`Delete “${story.title}”`}
            onClick={() => {
              setDeleteError(null);
              setConfirming(true);
            }}
            icon={<Trash2 aria-hidden="true" className="size-4" />}
          >
            Delete
          </Button>
        ) : null}
      </div>
      {confirming ? (
        <ConfirmDialog
          title={`Delete “${story.title}”?`}
          description={
            story.pageCount > 0
              ? `Its ${pluralize(story.pageCount, "page")} and their history will be deleted too. This cannot be undone.`
              : "This cannot be undone."
          }
          confirmLabel="Delete story"
          pendingLabel="Deleting…"
          pending={deleting}
          error={deleteError}
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
    </li>
  );
}
