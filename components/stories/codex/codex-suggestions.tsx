"use client";

import { Check, Pencil, Sparkles, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import {
  acceptCodexSuggestionAction,
  cancelCodexSuggestRunAction,
  getCodexSuggestRunAction,
  listCodexSuggestionsAction,
  rejectCodexSuggestionAction,
  requestCodexSuggestionsAction,
} from "@/app/actions/codex";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { PublicError } from "@/lib/errors";
import type { CodexEntryView, CodexSuggestionView, CodexSuggestRunView } from "@/lib/stories";
import { callAction } from "@/lib/ui/call-action";
import { CodexEntryForm } from "./codex-entry-form";
import { kindLabels } from "./codex-text";

const POLL_MS = 1000;
const isActive = (run: CodexSuggestRunView | null) => run?.status === "pending" || run?.status === "running";

/**
 * Suggest entries: starts the AI run, shows its progress while the story is read in parts, then the suggestions for
 * review (accept, edit then accept, reject). Nothing reaches the codex unless accepted here.
 */
export function CodexSuggestions({
  storyId,
  entries,
  initialSuggestions,
  initialRun,
  onEntrySaved,
}: {
  storyId: string;
  entries: CodexEntryView[];
  initialSuggestions: CodexSuggestionView[];
  initialRun: CodexSuggestRunView | null;
  onEntrySaved: (entry: CodexEntryView) => void;
}) {
  const [run, setRun] = useState(initialRun);
  const [suggestions, setSuggestions] = useState(initialSuggestions);
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const active = isActive(run);
  const runId = run?.id;
  const wasActive = useRef(active);

  useEffect(() => {
    if (!active || !runId) return;
    const timer = window.setInterval(async () => {
      const result = await callAction(() => getCodexSuggestRunAction({ storyId }));
      if (result.ok) setRun(result.data);
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [active, runId, storyId]);

  // When a run ends, its suggestions are fetched once.
  useEffect(() => {
    if (wasActive.current && !active) {
      void callAction(() => listCodexSuggestionsAction({ storyId })).then((result) => {
        if (result.ok) setSuggestions(result.data);
      });
      if (run?.status === "cancelled")
        setMessage(
          run.openSuggestions > 0
            ? "Stopped. The entries suggested before you stopped are waiting for review."
            : "Stopped. Nothing was suggested.",
        );
      else if (run?.status === "failed") setError(run.failures[0] ?? "The AI could not read the story this time.");
      else if (run && run.failed > 0)
        setMessage(`${run.failed} of ${run.total} parts of the story could not be read: ${run.failures[0] ?? ""}`);
      else setMessage(null);
    }
    wasActive.current = active;
  }, [active, run, storyId]);

  async function start() {
    setStarting(true);
    setError(null);
    const result = await callAction(() => requestCodexSuggestionsAction({ storyId }));
    setStarting(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setRun(result.data.run);
    setMessage(result.data.message);
  }

  async function cancel() {
    if (!run) return;
    setCancelling(true);
    setError(null);
    const result = await callAction(() => cancelCodexSuggestRunAction({ jobId: run.id }));
    setCancelling(false);
    if (result.ok) setRun(result.data);
    else setError(result.error.message);
  }

  function resolved(id: string) {
    setSuggestions((list) => list.filter((s) => s.id !== id));
    setEditing(null);
  }

  async function accept(suggestion: CodexSuggestionView, edits?: Record<string, unknown>): Promise<PublicError | null> {
    setBusy(suggestion.id);
    setError(null);
    const result = await callAction(() => acceptCodexSuggestionAction({ suggestionId: suggestion.id, edits }));
    setBusy(null);
    if (!result.ok) return result.error;
    onEntrySaved(result.data.entry);
    resolved(suggestion.id);
    return null;
  }

  async function reject(suggestion: CodexSuggestionView) {
    setBusy(suggestion.id);
    setError(null);
    const result = await callAction(() => rejectCodexSuggestionAction({ suggestionId: suggestion.id }));
    setBusy(null);
    if (result.ok) resolved(suggestion.id);
    else setError(result.error.message);
  }

  const entryName = (id: string | null) => entries.find((e) => e.id === id)?.name;

  return (
    <section aria-labelledby="codex-suggest-heading" className="space-y-2 border-t border-stone-200 pt-3">
      <div className="flex items-center justify-between gap-2">
        <h3 id="codex-suggest-heading" className="text-sm font-semibold text-stone-800">
          Suggested entries
        </h3>
        <Button
          size="sm"
          data-testid="codex-suggest"
          pending={starting || active}
          disabled={active}
          onClick={start}
          icon={<Sparkles aria-hidden="true" className="size-4" />}
        >
          {active ? "Reading…" : "Suggest entries"}
        </Button>
      </div>
      <div className="flex items-center justify-between gap-2">
        <div role="status" aria-live="polite" data-testid="codex-suggest-progress" className="text-xs text-stone-600">
          {active && run
            ? run.total > 0
              ? `Reading the story: ${run.done} of ${run.total} ${run.total === 1 ? "part" : "parts"} done.`
              : "Getting ready to read the story…"
            : (message ?? "")}
        </div>
        {active ? (
          <Button
            size="sm"
            variant="ghost-danger"
            data-testid="codex-suggest-cancel"
            pending={cancelling}
            disabled={cancelling}
            onClick={cancel}
            icon={<X aria-hidden="true" className="size-4" />}
          >
            Cancel
          </Button>
        ) : null}
      </div>
      {error ? (
        <Alert tone="error" data-testid="codex-suggest-error">
          {error}
        </Alert>
      ) : null}
      {suggestions.length > 0 ? (
        <ul className="space-y-2" data-testid="codex-suggestions" aria-label="Suggested entries to review">
          {suggestions.map((s) =>
            editing === s.id ? (
              <li key={s.id} data-testid="codex-suggestion" data-suggestion-name={s.name}>
                <CodexEntryForm
                  title={`Edit the suggestion ${s.name}`}
                  submitLabel="Accept"
                  initial={{ ...s, activation: entries.find((e) => e.id === s.entryId)?.activation ?? "mentioned" }}
                  onCancel={() => setEditing(null)}
                  onSubmit={(values) => accept(s, { ...values })}
                />
              </li>
            ) : (
              <li
                key={s.id}
                data-testid="codex-suggestion"
                data-suggestion-name={s.name}
                className="rounded-lg border border-dashed border-emerald-300 bg-emerald-50/40 px-3 py-2"
              >
                <p className="text-sm font-medium text-stone-900">
                  {s.name} <span className="font-normal text-stone-500">· {kindLabels[s.kind]}</span>
                </p>
                {s.entryId ? (
                  <p className="text-xs text-emerald-800">Update of “{entryName(s.entryId) ?? s.name}”</p>
                ) : null}
                {s.aliases.length > 0 ? <p className="text-xs text-stone-500">also {s.aliases.join(", ")}</p> : null}
                {s.description ? <p className="mt-1 line-clamp-3 text-sm text-stone-700">{s.description}</p> : null}
                <div className="mt-2 flex gap-1">
                  <Button
                    size="sm"
                    variant="primary"
                    data-testid="codex-suggestion-accept"
                    aria-label={`Accept ${s.name}`}
                    pending={busy === s.id}
                    icon={<Check aria-hidden="true" className="size-4" />}
                    onClick={async () => {
                      const failure = await accept(s);
                      if (failure) setError(failure.message);
                    }}
                  >
                    Accept
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    data-testid="codex-suggestion-edit"
                    aria-label={`Edit ${s.name} before accepting`}
                    icon={<Pencil aria-hidden="true" className="size-4" />}
                    onClick={() => setEditing(s.id)}
                  >
                    Edit
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost-danger"
                    data-testid="codex-suggestion-reject"
                    aria-label={`Reject ${s.name}`}
                    icon={<X aria-hidden="true" className="size-4" />}
                    onClick={() => void reject(s)}
                  >
                    Reject
                  </Button>
                </div>
              </li>
            ),
          )}
        </ul>
      ) : run && !active && run.status === "succeeded" ? (
        <p className="text-xs text-stone-500" data-testid="codex-suggestions-empty">
          Nothing new to suggest.
        </p>
      ) : null}
    </section>
  );
}
