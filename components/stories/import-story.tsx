"use client";

import { FileUp } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { getImportAction } from "@/app/actions/import";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { clientFailures } from "@/lib/errors";
import type { ImportJobView, ImportPreview, ImportSplitMode } from "@/lib/stories/import/view-types";
import { limits } from "@/lib/stories/limits";
import { callAction } from "@/lib/ui/call-action";

const MB = limits.importFileMax / 1024 / 1024;
const modes: { value: ImportSplitMode; label: string; hint: string }[] = [
  { value: "headings", label: "At chapter headings", hint: "A new page at each chapter heading." },
  { value: "breaks", label: "At page breaks", hint: "A new page at each page break (--- in Markdown)." },
  { value: "length", label: "By length", hint: "Pages of about the target length, cut between paragraphs." },
];

type Phase = { step: "choose" } | { step: "preview"; preview: ImportPreview } | { step: "running"; job: ImportJobView };

async function upload(file: File, mode: ImportSplitMode, targetLength: number, preview: boolean) {
  const form = new FormData();
  form.set("file", file);
  form.set("mode", mode);
  form.set("targetLength", String(targetLength));
  form.set("preview", preview ? "true" : "false");
  let res: Response;
  try {
    res = await fetch("/api/stories/import", { method: "POST", body: form });
  } catch {
    throw new Error(clientFailures.network);
  }
  const body = (await res.json().catch(() => null)) as { message?: string } | null;
  if (!res.ok) throw new Error(body?.message ?? clientFailures.client);
  return body;
}

/** Import on the stories list: choose a file and a split, see the preview, confirm, follow the progress, open the story. */
export function ImportStory() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        data-testid="import-open"
        icon={<FileUp aria-hidden="true" className="size-4" />}
        onClick={() => setOpen(true)}
      >
        Import
      </Button>
      {open ? <ImportDialog onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function ImportDialog({ onClose }: { onClose: () => void }) {
  const router = useRouter();
  const ids = { file: useId(), target: useId(), hint: useId() };
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<ImportSplitMode>("headings");
  const [targetLength, setTargetLength] = useState<number>(limits.importTargetDefault);
  const [phase, setPhase] = useState<Phase>({ step: "choose" });
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const jobId = phase.step === "running" ? phase.job.id : null;
  const opened = useRef(false);

  // Progress: ask for the job every second until it ends; a success opens the story.
  useEffect(() => {
    if (!jobId) return;
    let stop = false;
    const tick = async () => {
      const result = await callAction(() => getImportAction({ importId: jobId }));
      if (stop) return;
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setPhase({ step: "running", job: result.data });
      if (result.data.status === "succeeded" && result.data.storyId && !opened.current) {
        opened.current = true;
        router.push(`/stories/${result.data.storyId}`);
        return;
      }
      if (result.data.status === "failed") {
        setError(result.data.error?.message ?? "The import failed. Nothing was created.");
        return;
      }
      timer = setTimeout(tick, 1000);
    };
    let timer = setTimeout(tick, 300);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [jobId, router]);

  const run = async (preview: boolean) => {
    if (!file) {
      setError("Choose a file to import.");
      return;
    }
    setPending(true);
    setError(null);
    try {
      const body = await upload(file, mode, targetLength, preview);
      setPhase(
        preview ? { step: "preview", preview: body as ImportPreview } : { step: "running", job: body as ImportJobView },
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : clientFailures.client);
    } finally {
      setPending(false);
    }
  };

  const running = phase.step === "running" ? phase.job : null;
  const busy = pending || (running !== null && running.status !== "failed");

  return (
    <Dialog
      testId="import-dialog"
      title="Import a manuscript"
      description={`A .docx, .md or .txt file of at most ${MB} MB becomes a new story.`}
      onClose={() => {
        if (!busy) onClose();
      }}
      className="max-w-xl"
    >
      <div className="space-y-4 px-5 py-4">
        <div>
          <label htmlFor={ids.file} className="block text-sm font-medium text-stone-800">
            File
          </label>
          <input
            id={ids.file}
            data-testid="import-file"
            data-autofocus
            type="file"
            accept=".docx,.md,.markdown,.txt"
            disabled={busy}
            aria-describedby={ids.hint}
            className="mt-1 block w-full text-sm text-stone-800"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setPhase({ step: "choose" });
              setError(null);
            }}
          />
          <p id={ids.hint} className="mt-1 text-xs text-stone-600">
            Word (.docx), Markdown (.md) or plain text (.txt); at most {MB} MB. The title and description come from the
            document when it has them.
          </p>
        </div>

        <fieldset disabled={busy}>
          <legend className="text-sm font-medium text-stone-800">Split into pages</legend>
          <div className="mt-1 space-y-1">
            {modes.map((m) => (
              <label key={m.value} className="flex items-start gap-2 text-sm text-stone-800">
                <input
                  type="radio"
                  name="import-mode"
                  value={m.value}
                  data-testid={`import-mode-${m.value}`}
                  checked={mode === m.value}
                  onChange={() => {
                    setMode(m.value);
                    setPhase({ step: "choose" });
                  }}
                  className="mt-1"
                />
                <span>
                  {m.label} <span className="text-stone-600">— {m.hint}</span>
                </span>
              </label>
            ))}
          </div>
          {mode === "length" ? (
            <div className="mt-2">
              <label htmlFor={ids.target} className="block text-sm font-medium text-stone-800">
                Target length (characters per page)
              </label>
              <input
                id={ids.target}
                data-testid="import-target"
                type="number"
                min={limits.importTargetMin}
                max={limits.pageMax}
                step={500}
                value={targetLength}
                onChange={(e) => {
                  setTargetLength(Number(e.target.value));
                  setPhase({ step: "choose" });
                }}
                className="mt-1 h-9 w-40 rounded-md border border-stone-300 px-2 text-sm"
              />
            </div>
          ) : null}
        </fieldset>

        {error ? (
          <p
            role="alert"
            data-testid="import-error"
            className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
          >
            {error}
          </p>
        ) : null}

        {phase.step === "preview" ? <PreviewList preview={phase.preview} /> : null}

        {running ? (
          <div data-testid="import-progress" role="status" aria-live="polite" className="text-sm text-stone-800">
            {running.status === "succeeded"
              ? "Imported. Opening the story…"
              : running.status === "failed"
                ? "The import failed. Nothing was created."
                : running.pagesTotal === null
                  ? "Reading the manuscript…"
                  : `Preparing pages: ${running.pagesStaged} of ${running.pagesTotal}`}
            {running.pagesTotal ? (
              <progress className="mt-2 block w-full" max={running.pagesTotal} value={running.pagesStaged} />
            ) : null}
          </div>
        ) : null}
      </div>
      <div className="flex justify-end gap-2 border-t border-stone-100 px-5 py-4">
        <Button data-testid="import-cancel" onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        {phase.step === "preview" ? (
          <Button data-testid="import-confirm" variant="primary" pending={pending} onClick={() => void run(false)}>
            Import {phase.preview.pageCount} {phase.preview.pageCount === 1 ? "page" : "pages"}
          </Button>
        ) : (
          <Button
            data-testid="import-preview"
            variant="primary"
            pending={pending}
            disabled={busy || !file}
            onClick={() => void run(true)}
          >
            Preview
          </Button>
        )}
      </div>
    </Dialog>
  );
}

function PreviewList({ preview }: { preview: ImportPreview }) {
  return (
    <section data-testid="import-preview-result" aria-label="Preview of the split" className="space-y-2">
      <p className="text-sm text-stone-800">
        <span className="font-medium" data-testid="import-preview-title">
          {preview.title}
        </span>{" "}
        — <span data-testid="import-preview-count">{preview.pageCount}</span>{" "}
        {preview.pageCount === 1 ? "page" : "pages"}
        {preview.splitFurther > 0
          ? ` (${preview.splitFurther} too long for one page, split further — no text is dropped)`
          : ""}
      </p>
      {preview.description ? <p className="text-sm text-stone-600">{preview.description}</p> : null}
      <ol className="max-h-64 space-y-2 overflow-y-auto rounded-lg border border-stone-200 p-2">
        {preview.pages.map((p) => (
          <li key={p.number} data-testid="import-preview-page" className="text-sm">
            <span className="font-medium text-stone-900">Page {p.number}</span>{" "}
            <span className="text-stone-600">({p.characters.toLocaleString()} characters)</span>
            <p className="whitespace-pre-line text-stone-700">{p.firstLines}</p>
          </li>
        ))}
      </ol>
      {preview.pageCount > preview.pages.length ? (
        <p className="text-xs text-stone-600">…and {preview.pageCount - preview.pages.length} more pages.</p>
      ) : null}
    </section>
  );
}
