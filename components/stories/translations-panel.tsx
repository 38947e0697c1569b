"use client";

import { Languages, RefreshCw, X } from "lucide-react";
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import {
  cancelTranslationAction,
  listTranslationsAction,
  translateStoryAction,
  updateTranslationAction,
} from "@/app/actions/translations";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { RovingSummary } from "@/components/ui/roving-toolbar";
import { callAction } from "@/lib/ui/call-action";
import type { StoryTranslations, TranslationRunView, TranslationView } from "@/lib/stories/translations";
import { languageOptions } from "@/lib/stories/languages";
import { useStoryRights } from "./story-rights";
import { TranslationGlossary } from "./translation-glossary";

const POLL_MS = 1000;

const isActive = (run: TranslationRunView | null) =>
  run !== null && (run.status === "pending" || run.status === "running");

function progressText(run: TranslationRunView): string {
  const parts = [`${run.done} of ${run.total} pages translated`];
  if (run.failed > 0) parts.push(`${run.failed} failed`);
  if (run.cancelled > 0) parts.push(`${run.cancelled} cancelled`);
  return parts.join(", ");
}

function RunProgress({ translation, onCancel }: { translation: TranslationView; onCancel?: () => void }) {
  const run = translation.run;
  if (!run) return null;
  const active = isActive(run);
  const percent = run.total > 0 ? Math.round((run.done / run.total) * 100) : 100;
  return (
    <div data-testid="translation-run" data-status={run.status} className="space-y-1.5">
      <div
        role="progressbar"
        aria-label={`${translation.languageName} translation progress`}
        aria-valuemin={0}
        aria-valuemax={run.total}
        aria-valuenow={run.done}
        aria-valuetext={progressText(run)}
        className="h-2 overflow-hidden rounded-full bg-violet-100"
      >
        <div className="h-full rounded-full bg-violet-600 transition-[width]" style={{ width: `${percent}%` }} />
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <p
          role="status"
          aria-live="polite"
          data-testid="translation-progress"
          className="text-sm text-stone-700 tabular-nums"
        >
          {progressText(run)}
          {run.status === "cancelled" ? " · cancelled" : ""}
        </p>
        {active && onCancel ? (
          <Button data-testid="translation-cancel" size="sm" variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </div>
      {run.failures.length > 0 ? (
        <ul data-testid="translation-failures" className="space-y-0.5 text-sm text-red-700">
          {run.failures.map((f) => (
            <li key={f.pageId}>
              {f.pageNumber === null ? "A deleted page" : `Page ${f.pageNumber}`}: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function staleText(t: TranslationView): string {
  const parts = [
    t.stalePages === 0 ? "up to date" : `${t.stalePages} ${t.stalePages === 1 ? "page" : "pages"} out of date`,
  ];
  if (t.openSuggestions > 0)
    parts.push(
      `${t.openSuggestions} new ${t.openSuggestions === 1 ? "translation waits" : "translations wait"} as suggestions`,
    );
  return parts.join(" · ");
}

/**
 * Translations of a story: on an original, its translations (each a link, with what is out of date) and Translate
 * story with a searchable list of languages; on a translation, its source, Update translation and Side by side.
 * A run in progress shows n of m pages, its failures, and Cancel; it is followed by polling until it ends.
 */
export function TranslationsPanel({
  storyId,
  storyLanguage,
  initial,
}: {
  storyId: string;
  storyLanguage: string;
  initial: StoryTranslations;
}) {
  const { generate: canGenerate } = useStoryRights();
  const [state, setState] = useState(initial);
  const [query, setQuery] = useState("");
  const [language, setLanguage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; translationId?: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const views = state.translation ? [state.translation] : state.translations;
  const active = views.some((v) => isActive(v.run));
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    const timer = window.setInterval(async () => {
      const result = await callAction(() => listTranslationsAction({ storyId }));
      if (!stopped && result.ok) setState(result.data);
    }, POLL_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [active, storyId]);

  const taken = useMemo(() => new Set(state.translations.map((t) => t.language)), [state.translations]);
  const options = useMemo(() => {
    const q = query.trim().toLocaleLowerCase();
    return languageOptions()
      .filter((o) => o.tag.toLowerCase() !== storyLanguage.toLowerCase() && !taken.has(o.tag))
      .filter((o) => q === "" || o.name.toLocaleLowerCase().includes(q) || o.tag.toLowerCase().startsWith(q));
  }, [query, storyLanguage, taken]);
  const chosen = options.some((o) => o.tag === language) ? language : (options[0]?.tag ?? "");

  async function refresh() {
    const result = await callAction(() => listTranslationsAction({ storyId }));
    if (result.ok) setState(result.data);
  }

  async function translate() {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    const result = await callAction(() => translateStoryAction({ storyId, language: chosen }));
    setBusy(false);
    if (!result.ok) {
      const details = result.error.details as { translationId?: string } | undefined;
      setError({ message: result.error.message, translationId: details?.translationId });
      return;
    }
    setMessage(result.data.message);
    await refresh();
  }

  async function update(translationId: string) {
    setBusy(true);
    setError(null);
    const result = await callAction(() => updateTranslationAction({ translationId }));
    setBusy(false);
    if (!result.ok) {
      setError({ message: result.error.message });
      return;
    }
    setMessage(result.data.message);
    await refresh();
  }

  async function cancel(translationId: string) {
    const result = await callAction(() => cancelTranslationAction({ translationId }));
    if (!result.ok) setError({ message: result.error.message });
    await refresh();
  }

  return (
    <section aria-labelledby="translations-heading" className="space-y-3" data-testid="translations-panel">
      <h2 id="translations-heading" className="flex items-center gap-2 text-sm font-semibold text-stone-900">
        <Languages aria-hidden="true" className="size-4" /> Translations
      </h2>
      {state.translation ? (
        <div className="space-y-2 rounded-xl border border-stone-200 bg-white p-3" data-testid="translation-of">
          <p className="text-sm text-stone-700">
            {state.translation.languageName} translation of{" "}
            {state.source ? (
              <Link
                data-testid="translation-source-link"
                className="font-medium text-violet-700 underline"
                href={`/stories/${state.source.storyId}`}
              >
                {state.source.title}
              </Link>
            ) : (
              "a story you cannot open"
            )}
            {" · "}
            <span data-testid="translation-stale">{staleText(state.translation)}</span>
          </p>
          <div className="flex flex-wrap gap-2">
            {canGenerate ? (
              <Button
                data-testid="translation-update"
                size="sm"
                variant="secondary"
                pending={busy}
                disabled={busy || isActive(state.translation.run)}
                onClick={() => update(state.translation!.storyId)}
                icon={<RefreshCw aria-hidden="true" className="size-4" />}
              >
                Update translation
              </Button>
            ) : null}
            <Link
              data-testid="translation-side-by-side"
              className="inline-flex h-8 items-center rounded-lg px-2 text-sm font-medium text-violet-700 underline"
              href={`/stories/${storyId}/side-by-side`}
            >
              Side by side with the source
            </Link>
          </div>
          <RunProgress
            translation={state.translation}
            onCancel={canGenerate ? () => cancel(state.translation!.storyId) : undefined}
          />
          {state.glossary ? (
            <TranslationGlossary
              glossary={state.glossary}
              language={state.translation.language}
              languageName={state.translation.languageName}
            />
          ) : null}
        </div>
      ) : (
        <>
          {state.translations.length > 0 ? (
            <ul className="space-y-2" data-testid="translations-list">
              {state.translations.map((t) => (
                <li
                  key={t.storyId}
                  className="space-y-1 rounded-xl border border-stone-200 bg-white p-3"
                  data-testid="translation-item"
                  data-language={t.language}
                >
                  <p className="text-sm">
                    <Link
                      className="font-medium text-violet-700 underline"
                      href={`/stories/${t.storyId}`}
                      data-testid="translation-link"
                    >
                      {t.languageName}
                    </Link>{" "}
                    <span className="text-stone-600">· {staleText(t)}</span>
                  </p>
                  <RunProgress translation={t} onCancel={canGenerate ? () => cancel(t.storyId) : undefined} />
                </li>
              ))}
            </ul>
          ) : null}
          {canGenerate ? (
            // Folded: the language search, list and button were three tab stops before the story's first page.
            <details className="group" data-testid="translate-disclosure">
              <RovingSummary data-testid="translate-toggle">
                <Languages aria-hidden="true" className="size-4" />
                Translate…
              </RovingSummary>
              <div className="mt-2 max-w-md space-y-2 rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
                <label htmlFor="translate-language-search" className="block text-sm font-medium text-stone-800">
                  Translate story into
                </label>
                <Input
                  id="translate-language-search"
                  data-testid="translate-language-search"
                  type="search"
                  placeholder="Search languages"
                  value={query}
                  onChange={(e) => setQuery(e.target.value)}
                />
                <Select
                  aria-label="Language to translate into"
                  data-testid="translate-language"
                  value={chosen}
                  onChange={(e) => setLanguage(e.target.value)}
                >
                  {options.map((o) => (
                    <option key={o.tag} value={o.tag}>
                      {o.name} ({o.tag})
                    </option>
                  ))}
                </Select>
                <Button
                  data-testid="translate-button"
                  size="sm"
                  variant="secondary"
                  pending={busy}
                  disabled={busy || !chosen}
                  onClick={translate}
                  icon={<Languages aria-hidden="true" className="size-4" />}
                >
                  Translate story
                </Button>
              </div>
            </details>
          ) : state.translations.length === 0 ? (
            <p className="text-sm text-stone-600">This story has no translations.</p>
          ) : null}
        </>
      )}
      {message ? (
        <Alert tone="info" data-testid="translation-message" className="items-start">
          <span className="flex-1">{message}</span>
          <button type="button" aria-label="Dismiss" onClick={() => setMessage(null)}>
            <X aria-hidden="true" className="size-4" />
          </button>
        </Alert>
      ) : null}
      {error ? (
        <Alert tone="error" data-testid="translation-error">
          {error.message}
          {error.translationId ? (
            <>
              {" "}
              <Link className="underline" href={`/stories/${error.translationId}`}>
                Open it
              </Link>
            </>
          ) : null}
        </Alert>
      ) : null}
    </section>
  );
}
