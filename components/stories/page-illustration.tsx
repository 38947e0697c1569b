"use client";

import { ChevronDown, ChevronRight, ImageIcon } from "lucide-react";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import {
  cancelIllustrationAction,
  chooseIllustrationAction,
  illustrateAfterTextAction,
  listPageIllustrationsAction,
  requestIllustrationAction,
} from "@/app/actions/illustrations";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { IllustrationJobView, IllustrationView, PageIllustrations } from "@/lib/stories";
import { callAction } from "@/lib/ui/call-action";
import { useStoryEvents } from "./story-events";
import { useStoryRights } from "./story-rights";

const POLL_MS = 1500;

function isActive(job: IllustrationJobView | null): boolean {
  return job !== null && (job.status === "pending" || job.status === "running");
}

/** The chosen (or shown) image with its caption: "offline illustration" when the offline illustrator drew it. */
function IllustrationFigure({ illustration, pageNumber }: { illustration: IllustrationView; pageNumber: number }) {
  return (
    <figure data-testid="page-illustration-image" data-illustration-id={illustration.id} className="space-y-1">
      {/* biome-ignore lint/performance/noImgElement: an authorized, private image route; next/image would proxy it */}
      <img
        src={illustration.imageUrl}
        alt={`Illustration of page ${pageNumber}: ${illustration.sceneDescription}`}
        width={illustration.width}
        height={illustration.height}
        className="h-auto w-full rounded-lg border border-stone-200"
      />
      {illustration.offline ? (
        <figcaption data-testid="offline-illustration-label" className="text-xs text-stone-600">
          Offline illustration (drawn without an image model)
        </figcaption>
      ) : null}
    </figure>
  );
}

/**
 * A page's illustration: the chosen image on the page; Illustrate with its progress (queued, describing the scene,
 * drawing, done / failed with a human message) and Cancel; the attempts kept, one of which the author picks; the
 * scene and image prompt of the latest attempt, editable, and Regenerate with them. Progress comes from the story's
 * event stream (polling only when the stream is not there).
 */
export function PageIllustration({
  pageId,
  pageNumber,
  hasText,
  initialChosen,
  openSuggestions = "",
}: {
  pageId: string;
  pageNumber: number;
  hasText: boolean;
  initialChosen: IllustrationView | null;
  /** The ids of the page's open suggestions (joined): when one is resolved, a wait "With Generate" may have ended. */
  openSuggestions?: string;
}) {
  const id = useId();
  const { generate: canGenerate } = useStoryRights();
  const events = useStoryEvents();
  const [open, setOpen] = useState(false);
  const [data, setData] = useState<PageIllustrations | null>(null);
  const [job, setJob] = useState<IllustrationJobView | null>(null);
  const [chosen, setChosen] = useState<IllustrationView | null>(initialChosen);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"illustrate" | "cancel" | "choose" | null>(null);
  const [scene, setScene] = useState("");
  const [prompt, setPrompt] = useState("");
  const [withGenerate, setWithGenerate] = useState(false);
  const [waitingForText, setWaitingForText] = useState(false);
  const askedFor = useRef(new Set<string>());

  const load = useCallback(async () => {
    const result = await callAction(() => listPageIllustrationsAction({ pageId }));
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setData(result.data);
    setJob(result.data.job);
    setWaitingForText(result.data.waitingForText);
    setChosen(result.data.attempts.find((a) => a.chosen) ?? null);
    const latest = result.data.attempts[0];
    if (latest) {
      setScene((s) => s || latest.sceneDescription);
      setPrompt((p) => p || latest.imagePrompt);
    }
  }, [pageId]);

  useEffect(() => {
    if (open && !data) void load();
  }, [open, data, load]);

  // While a job runs: the story's stream tells its phases; the attempts are read again when it ends.
  const jobId = isActive(job) ? job!.id : null;
  useEffect(() => {
    if (!jobId) return;
    if (events) {
      return events.subscribe(jobId, (event) => {
        if (!("phase" in event)) return;
        setJob(event as IllustrationJobView);
        if (!isActive(event as IllustrationJobView)) void load();
      });
    }
    const timer = window.setInterval(() => void load(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [jobId, events, load]);

  // "With Generate": each Generate started on this page while the option is on is illustrated once its text lands
  // (the server waits for it, and for a suggestion to be applied).
  useEffect(() => {
    if (!withGenerate || !events) return;
    return events.subscribeAll((event) => {
      // A take set has no target of its own on the wire (its takes land through Choose, a Generate of their own).
      if (!("targetType" in event) || event.targetType !== "page" || event.targetId !== pageId) return;
      if (event.status !== "pending" && event.status !== "running") return;
      if (askedFor.current.has(event.id)) return;
      askedFor.current.add(event.id);
      void callAction(() => illustrateAfterTextAction({ pageId, jobId: event.id })).then((result) => {
        if (!result.ok) setError(result.error.message);
        else if (result.data.job) setJob(result.data.job);
        else setWaitingForText(true);
      });
    });
  }, [withGenerate, events, pageId]);

  // A suggestion resolved on this page may have been the text the illustration waited for: discarded, the wait is
  // gone on the server (applied, its Illustrate starts); read which again rather than guess.
  const suggestionsSeen = useRef(openSuggestions);
  useEffect(() => {
    if (suggestionsSeen.current === openSuggestions) return;
    suggestionsSeen.current = openSuggestions;
    if (waitingForText) void load();
  }, [openSuggestions, waitingForText, load]);

  // The waited-for illustration shows up as a job on the story stream: follow it like one started here.
  useEffect(() => {
    if (!waitingForText || !events) return;
    return events.subscribeAll((event) => {
      if (!("phase" in event) || event.pageId !== pageId) return;
      setWaitingForText(false);
      setJob(event as IllustrationJobView);
    });
  }, [waitingForText, events, pageId]);

  async function illustrate(withEdits: boolean) {
    setBusy("illustrate");
    setError(null);
    setOpen(true);
    const input = withEdits ? { pageId, sceneDescription: scene, imagePrompt: prompt } : { pageId };
    const result = await callAction(() => requestIllustrationAction(input));
    setBusy(null);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setJob(result.data.job);
  }

  async function cancel() {
    setBusy("cancel");
    const result = await callAction(() => cancelIllustrationAction({ pageId }));
    setBusy(null);
    if (!result.ok) setError(result.error.message);
    else if (result.data) setJob(result.data);
  }

  async function choose(illustrationId: string) {
    setBusy("choose");
    const result = await callAction(() => chooseIllustrationAction({ illustrationId }));
    setBusy(null);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setChosen(result.data);
    await load();
  }

  // Drawing, choosing and cancelling are the editors': those who may only read see the chosen illustration alone.
  if (!canGenerate) {
    return chosen ? (
      <div data-testid="page-illustration" className="border-t border-stone-100 px-4 py-2 sm:px-5">
        <IllustrationFigure illustration={chosen} pageNumber={pageNumber} />
      </div>
    ) : null;
  }
  const running = isActive(job);
  const panelId = `${id}-illustration`;
  const attempts = data?.attempts ?? [];
  return (
    <div data-testid="page-illustration" className="border-t border-stone-100 px-4 py-2 sm:px-5">
      {chosen ? <IllustrationFigure illustration={chosen} pageNumber={pageNumber} /> : null}
      <div className="flex flex-wrap items-center gap-2">
        <Button
          data-testid="illustration-toggle"
          variant="ghost"
          size="sm"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((o) => !o)}
          icon={
            open ? (
              <ChevronDown aria-hidden="true" className="size-4" />
            ) : (
              <ChevronRight aria-hidden="true" className="size-4" />
            )
          }
        >
          Illustration
        </Button>
        <Button
          data-testid="illustrate-button"
          size="sm"
          icon={<ImageIcon aria-hidden="true" className="size-4" />}
          pending={busy === "illustrate"}
          disabled={running || !hasText}
          title={hasText ? undefined : "A blank page has nothing to illustrate."}
          onClick={() => void illustrate(false)}
        >
          Illustrate page {pageNumber}
        </Button>
        {running ? (
          <Button
            data-testid="illustration-cancel"
            size="sm"
            variant="ghost"
            pending={busy === "cancel"}
            onClick={() => void cancel()}
          >
            Cancel
          </Button>
        ) : null}
        <label className="flex items-center gap-1.5 text-sm text-stone-700">
          <input
            type="checkbox"
            data-testid="illustrate-with-generate"
            checked={withGenerate}
            onChange={(e) => setWithGenerate(e.target.checked)}
            className="size-4 rounded border-stone-400 text-emerald-700 focus-visible:ring-2 focus-visible:ring-emerald-600"
          />
          With Generate
        </label>
        {waitingForText ? (
          <span data-testid="illustration-waiting" className="text-sm text-stone-700">
            Waiting for the text to land…
          </span>
        ) : null}
        {job ? (
          <span
            role="status"
            aria-live="polite"
            data-testid="illustration-status"
            data-phase={job.phase}
            className={job.phase === "failed" ? "text-sm text-red-700" : "text-sm text-stone-700"}
          >
            {job.message}
          </span>
        ) : null}
      </div>
      {error ? (
        <Alert data-testid="illustration-error" tone="error">
          {error}
        </Alert>
      ) : null}
      {open ? (
        <div id={panelId} className="space-y-3 pb-2 pt-2 text-sm">
          {running && job?.sceneDescription ? (
            <p className="text-stone-700">
              <span className="font-medium">Scene: </span>
              {job.sceneDescription}
            </p>
          ) : null}
          {data && attempts.length === 0 && !running ? (
            <p data-testid="illustration-empty" className="text-stone-600">
              No illustration yet.
            </p>
          ) : null}
          {attempts.length > 0 ? (
            <>
              <ul className="grid grid-cols-2 gap-2 sm:grid-cols-3" aria-label={`Illustrations of page ${pageNumber}`}>
                {attempts.map((attempt, i) => (
                  <li key={attempt.id} data-testid="illustration-attempt" data-chosen={attempt.chosen || undefined}>
                    {/* biome-ignore lint/performance/noImgElement: an authorized, private image route */}
                    <img
                      src={attempt.imageUrl}
                      alt={`Attempt ${attempts.length - i}: ${attempt.sceneDescription}`}
                      width={attempt.width}
                      height={attempt.height}
                      className="h-auto w-full rounded border border-stone-200"
                    />
                    {attempt.chosen ? (
                      <p className="text-xs font-medium text-emerald-800">Illustrates the page</p>
                    ) : (
                      <Button
                        data-testid="illustration-choose"
                        size="sm"
                        variant="ghost"
                        pending={busy === "choose"}
                        onClick={() => void choose(attempt.id)}
                      >
                        Use attempt {attempts.length - i}
                      </Button>
                    )}
                  </li>
                ))}
              </ul>
              <div className="space-y-1.5">
                <label htmlFor={`${id}-scene`} className="block font-medium text-stone-800">
                  Scene description
                </label>
                <textarea
                  id={`${id}-scene`}
                  data-testid="illustration-scene"
                  rows={3}
                  value={scene}
                  onChange={(e) => setScene(e.target.value)}
                  className="w-full rounded-lg border border-stone-300 px-3 py-2 text-sm text-stone-900 shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-600"
                />
                <label htmlFor={`${id}-prompt`} className="block font-medium text-stone-800">
                  Image prompt
                </label>
                <textarea
                  id={`${id}-prompt`}
                  data-testid="illustration-prompt"
                  rows={6}
                  value={prompt}
                  onChange={(e) => setPrompt(e.target.value)}
                  className="w-full rounded-lg border border-stone-300 px-3 py-2 font-mono text-xs text-stone-900 shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-600"
                />
                <Button
                  data-testid="illustration-regenerate"
                  size="sm"
                  pending={busy === "illustrate"}
                  disabled={running}
                  onClick={() => void illustrate(true)}
                >
                  Regenerate with these
                </Button>
              </div>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
