"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import {
  createPromptDraftAction,
  deletePromptDraftAction,
  previewPromptAction,
  publishPromptVersionAction,
} from "@/app/actions/prompts";
import { DiffView } from "@/components/admin/diff-view";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { PromptPreview, PromptVersionDetail } from "@/lib/stories";
import { formatCount } from "@/lib/ui/format";

/**
 * One version of a template: its text (edited into a new draft, never in place once published), the diff against the
 * published version, a preview against a story and page, and Publish.
 */
export function PromptVersionEditor({ detail }: { detail: PromptVersionDetail }) {
  const id = useId();
  const router = useRouter();
  const v = detail.version;
  const [body, setBody] = useState(detail.body);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [busy, setBusy] = useState<null | "save" | "publish" | "delete" | "preview">(null);
  const [storyId, setStoryId] = useState(detail.stories[0]?.id ?? "");
  const story = detail.stories.find((s) => s.id === storyId);
  const [pageId, setPageId] = useState(story?.pages[0]?.id ?? "");
  const [preview, setPreview] = useState<PromptPreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const changed = body !== detail.body;

  async function saveDraft() {
    setBusy("save");
    setSaveError(null);
    const result = await createPromptDraftAction({ family: v.family, body, basedOnVersion: v.version });
    setBusy(null);
    if (!result.ok) {
      setSaveError(result.error.message);
      return;
    }
    router.push(`/admin/prompts/${v.family}/${result.data.version}`);
  }

  async function publish() {
    setBusy("publish");
    setSaveError(null);
    const result = await publishPromptVersionAction({ family: v.family, version: v.version });
    setBusy(null);
    if (!result.ok) setSaveError(result.error.message);
    router.refresh();
  }

  async function remove() {
    setBusy("delete");
    const result = await deletePromptDraftAction({ family: v.family, version: v.version });
    setBusy(null);
    if (!result.ok) {
      setSaveError(result.error.message);
      return;
    }
    router.push("/admin/prompts");
  }

  async function runPreview() {
    setBusy("preview");
    setPreviewError(null);
    const result = await previewPromptAction({ family: v.family, body, storyId, pageId: pageId || undefined });
    setBusy(null);
    if (!result.ok) {
      setPreview(null);
      setPreviewError(result.error.message);
      return;
    }
    setPreview(result.data);
  }

  return (
    <div className="space-y-8">
      <section aria-labelledby={`${id}-text`} className="space-y-2">
        <h2 id={`${id}-text`} className="text-lg font-semibold text-stone-900">
          Template
        </h2>
        <label htmlFor={`${id}-body`} className="block text-sm font-medium text-stone-800">
          Liquid text {v.status === "draft" && v.source === "admin" ? "" : "(saving makes a new draft version)"}
        </label>
        <textarea
          id={`${id}-body`}
          data-testid="prompt-body"
          value={body}
          onChange={(e) => setBody(e.target.value)}
          rows={18}
          spellCheck={false}
          aria-describedby={saveError ? `${id}-save-error` : undefined}
          className="w-full rounded-lg border border-stone-300 bg-white p-3 font-mono text-xs text-stone-900 outline-none focus-visible:ring-2 focus-visible:ring-emerald-600"
        />
        {saveError ? (
          <Alert id={`${id}-save-error`} data-testid="prompt-save-error">
            {saveError}
          </Alert>
        ) : null}
        <div className="flex flex-wrap gap-2">
          <Button
            data-testid="prompt-save-draft"
            size="sm"
            variant="primary"
            disabled={!changed || busy !== null}
            pending={busy === "save"}
            onClick={saveDraft}
          >
            Save as new draft
          </Button>
          {v.status !== "published" ? (
            <Button
              data-testid="prompt-publish"
              size="sm"
              disabled={changed || busy !== null}
              pending={busy === "publish"}
              onClick={publish}
              title={changed ? "Save your edit first" : undefined}
            >
              {v.status === "archived" ? `Publish v${v.version} again (roll back)` : `Publish v${v.version}`}
            </Button>
          ) : (
            <span className="text-sm text-stone-700" data-testid="prompt-is-published">
              This is the published version: new jobs use it.
            </span>
          )}
          {v.status === "draft" && v.source === "admin" && v.jobCount === 0 ? (
            <Button
              data-testid="prompt-delete-draft"
              size="sm"
              variant="ghost-danger"
              disabled={busy !== null}
              pending={busy === "delete"}
              onClick={remove}
            >
              Delete draft
            </Button>
          ) : null}
        </div>
      </section>

      <section aria-labelledby={`${id}-diff`} className="space-y-2">
        <h2 id={`${id}-diff`} className="text-lg font-semibold text-stone-900">
          {detail.published ? `Changes from the published version (v${detail.published.version})` : "Changes"}
        </h2>
        {detail.published && detail.published.version !== v.version ? (
          <div data-testid="prompt-diff">
            <DiffView parts={detail.diff} />
          </div>
        ) : (
          <p className="text-sm text-stone-600">This is the published version.</p>
        )}
      </section>

      <section aria-labelledby={`${id}-preview`} className="space-y-3">
        <h2 id={`${id}-preview`} className="text-lg font-semibold text-stone-900">
          Preview
        </h2>
        <div className="flex flex-wrap items-end gap-3">
          <div className="space-y-1">
            <label htmlFor={`${id}-story`} className="block text-sm font-medium text-stone-800">
              Story
            </label>
            <select
              id={`${id}-story`}
              data-testid="prompt-preview-story"
              value={storyId}
              onChange={(e) => {
                setStoryId(e.target.value);
                setPageId(detail.stories.find((s) => s.id === e.target.value)?.pages[0]?.id ?? "");
              }}
              className="h-9 rounded-md border border-stone-300 bg-white px-2 text-sm text-stone-900"
            >
              {detail.stories.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.title}
                </option>
              ))}
            </select>
          </div>
          <div className="space-y-1">
            <label htmlFor={`${id}-page`} className="block text-sm font-medium text-stone-800">
              Page
            </label>
            <select
              id={`${id}-page`}
              data-testid="prompt-preview-page"
              value={pageId}
              onChange={(e) => setPageId(e.target.value)}
              className="h-9 rounded-md border border-stone-300 bg-white px-2 text-sm text-stone-900"
            >
              {(story?.pages ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  Page {p.number}
                </option>
              ))}
            </select>
          </div>
          <Button
            data-testid="prompt-preview-button"
            size="sm"
            disabled={!storyId || busy !== null}
            pending={busy === "preview"}
            onClick={runPreview}
          >
            Preview the text above
          </Button>
        </div>
        {previewError ? <Alert data-testid="prompt-preview-error">{previewError}</Alert> : null}
        {preview && !preview.ok ? (
          <Alert data-testid="prompt-preview-error">
            {preview.line ? `Line ${preview.line}: ` : ""}
            {preview.message}
          </Alert>
        ) : null}
        {preview?.ok ? (
          <div className="space-y-2">
            <p className="text-sm text-stone-700">
              <span data-testid="prompt-preview-tokens">{formatCount(preview.tokens)}</span> tokens · variables from{" "}
              {preview.payloadFrom}
            </p>
            <pre
              data-testid="prompt-preview-text"
              className="max-h-[28rem] overflow-auto whitespace-pre-wrap break-words rounded-lg border border-stone-200 bg-stone-50 p-3 font-mono text-xs text-stone-800"
            >
              {preview.text}
            </pre>
          </div>
        ) : null}
      </section>
    </div>
  );
}
