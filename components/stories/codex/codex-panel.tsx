"use client";

import { BookOpen, Plus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useId, useState } from "react";
import { createCodexEntryAction, deleteCodexEntryAction, updateCodexEntryAction } from "@/app/actions/codex";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { PublicError } from "@/lib/errors";
import type { CodexEntryView, CodexSuggestionView, CodexSuggestRunView } from "@/lib/stories";
import { callAction } from "@/lib/ui/call-action";
import { cn } from "@/lib/ui/cn";
import { useCodexEntries } from "./codex-entries-context";
import { CodexEntryForm, emptyEntry, type CodexEntryValues } from "./codex-entry-form";
import { CodexEntryItem } from "./codex-entry-item";
import { CodexSuggestions } from "./codex-suggestions";
import { kindGroupLabels, kinds, matchesSearch } from "./codex-text";
import { useStoryRights } from "../story-rights";

const byName = (a: CodexEntryView, b: CodexEntryView) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: "base" });

/**
 * The story's codex beside its pages (below them on narrow screens, behind a toggle): entries grouped by kind with a
 * search, add / edit / delete, and Suggest entries with its review. Every change is shared with the page cards
 * (CodexEntriesProvider), whose mention chips follow it at once; the page is also refreshed from the server.
 */
export function CodexPanel({
  storyId,
  entries: serverEntries,
  suggestions,
  run,
}: {
  storyId: string;
  entries: CodexEntryView[];
  suggestions: CodexSuggestionView[];
  run: CodexSuggestRunView | null;
}) {
  const router = useRouter();
  const id = useId();
  const rights = useStoryRights();
  const [entries, setEntries] = useState(serverEntries);
  const [seen, setSeen] = useState(serverEntries);
  if (seen !== serverEntries) {
    setSeen(serverEntries);
    setEntries(serverEntries);
  }
  // The page cards' mention chips follow the codex as it is here, at once (the refresh below follows later).
  const shared = useCodexEntries();
  const publish = shared?.setEntries;
  useEffect(() => {
    publish?.(entries);
  }, [entries, publish]);
  const [query, setQuery] = useState("");
  const [adding, setAdding] = useState(false);
  const [open, setOpen] = useState(false);

  function saved(entry: CodexEntryView) {
    setEntries((list) => [...list.filter((e) => e.id !== entry.id), entry]);
    router.refresh();
  }

  async function create(values: CodexEntryValues): Promise<PublicError | null> {
    const result = await callAction(() => createCodexEntryAction({ storyId, ...values }));
    if (!result.ok) return result.error;
    saved(result.data);
    setAdding(false);
    return null;
  }

  async function update(entry: CodexEntryView, values: CodexEntryValues): Promise<PublicError | null> {
    const result = await callAction(() =>
      updateCodexEntryAction({ entryId: entry.id, baseVersion: entry.version, ...values }),
    );
    if (result.ok) {
      saved(result.data);
      return null;
    }
    // Someone else changed it: take their version, so that saving again (the author's text is still in the form)
    // is a deliberate overwrite, and say so.
    const current =
      result.error.code === "CONFLICT" ? (result.error.details?.entry as CodexEntryView | undefined) : undefined;
    if (current) {
      setEntries((list) => list.map((e) => (e.id === current.id ? current : e)));
      return { ...result.error, message: `${result.error.message} Save again to replace the other change.` };
    }
    return result.error;
  }

  async function remove(entry: CodexEntryView): Promise<PublicError | null> {
    const result = await callAction(() => deleteCodexEntryAction({ entryId: entry.id }));
    if (!result.ok && result.error.code !== "NOT_FOUND") return result.error;
    setEntries((list) => list.filter((e) => e.id !== entry.id));
    router.refresh();
    return null;
  }

  const shown = entries.filter((e) => matchesSearch(e, query));
  const panelId = `${id}-panel`;

  return (
    <aside
      aria-labelledby={`${id}-title`}
      data-testid="codex-panel"
      className="rounded-2xl border border-stone-200 bg-stone-50/60 p-3 lg:sticky lg:top-4 lg:max-h-[calc(100vh-2rem)] lg:overflow-y-auto"
    >
      <div className="flex items-center justify-between gap-2">
        <h2 id={`${id}-title`} className="flex items-center gap-2 font-semibold text-stone-900">
          <BookOpen aria-hidden="true" className="size-4 text-emerald-700" />
          Codex <span className="text-sm font-normal text-stone-500">({entries.length})</span>
        </h2>
        <Button
          variant="ghost"
          size="sm"
          className="lg:hidden"
          aria-expanded={open}
          aria-controls={panelId}
          data-testid="codex-toggle"
          onClick={() => setOpen((o) => !o)}
        >
          {open ? "Hide" : "Show"}
        </Button>
      </div>
      <div id={panelId} className={cn("mt-3 space-y-3", open ? "block" : "hidden lg:block")}>
        <div className="flex gap-2">
          <label htmlFor={`${id}-search`} className="sr-only">
            Search the codex
          </label>
          <Input
            id={`${id}-search`}
            type="search"
            placeholder="Search names, aliases, descriptions"
            data-testid="codex-search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          {rights.edit ? (
            <Button
              size="md"
              variant="secondary"
              data-testid="codex-add"
              aria-label="Add a codex entry"
              disabled={adding}
              onClick={() => setAdding(true)}
              icon={<Plus aria-hidden="true" className="size-4" />}
            >
              Add
            </Button>
          ) : null}
        </div>
        {rights.edit && adding ? (
          <CodexEntryForm
            title="New codex entry"
            submitLabel="Add entry"
            initial={emptyEntry}
            onSubmit={create}
            onCancel={() => setAdding(false)}
          />
        ) : null}
        {entries.length === 0 && !adding ? (
          <p className="text-sm text-stone-600" data-testid="codex-empty">
            {rights.edit
              ? "Characters, places, things and lore the AI should never forget. Add them, or let the AI suggest them."
              : "This story's codex has no entries yet."}
          </p>
        ) : shown.length === 0 ? (
          <p className="text-sm text-stone-600" data-testid="codex-no-match">
            No entry matches “{query}”.
          </p>
        ) : (
          kinds.map((kind) => {
            const group = shown.filter((e) => e.kind === kind).sort(byName);
            if (group.length === 0) return null;
            return (
              <section key={kind} aria-labelledby={`${id}-${kind}`} data-testid="codex-group" data-kind={kind}>
                <h3 id={`${id}-${kind}`} className="mb-1 text-xs font-semibold uppercase tracking-wide text-stone-500">
                  {kindGroupLabels[kind]}
                </h3>
                <ul className="space-y-2">
                  {group.map((entry) => (
                    <CodexEntryItem key={entry.id} entry={entry} onSave={update} onDelete={remove} />
                  ))}
                </ul>
              </section>
            );
          })
        )}
        {rights.generate || rights.review ? (
          <CodexSuggestions
            storyId={storyId}
            entries={entries}
            initialSuggestions={suggestions}
            initialRun={run}
            onEntrySaved={saved}
          />
        ) : null}
      </div>
    </aside>
  );
}
