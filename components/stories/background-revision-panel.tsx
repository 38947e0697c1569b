"use client";

import { CheckCheck, Layers, Trash2, X } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import {
  applyAllSuggestionsAction,
  cancelBackgroundRevisionAction,
  discardAllSuggestionsAction,
  getBackgroundRevisionAction,
  requestBackgroundRevisionAction,
} from "@/app/actions/background";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import type { BackgroundRevisionView } from "@/lib/stories/background/view";
import { callAction, fieldErrors } from "@/lib/ui/call-action";
import { formatCount } from "@/lib/ui/format";
import { INSTRUCTION_MAX } from "@/lib/stories/limits";
import type { PageData } from "./types";

export type BackgroundRevisionData = BackgroundRevisionView;

const POLL_MS = 1000;
/** After this many failed polls in a row the panel says so (and keeps trying, more slowly). */
const POLL_FAILURES_SHOWN = 3;

const isActive = (r: BackgroundRevisionData | null) => r !== null && (r.status === "pending" || r.status === "running");

function pageList(numbers: (number | null)[]): string {
  const known = numbers.filter((n): n is number => n !== null);
  if (known.length === 0) return "";
  return known.length === 1 ? `page ${known[0]}` : `pages ${known.slice(0, -1).join(", ")} and ${known.at(-1)}`;
}

function progressText(r: BackgroundRevisionData): string {
  const parts = [`${r.done} of ${r.total} done`];
  if (r.failed > 0) parts.push(`${r.failed} failed`);
  if (r.cancelled > 0) parts.push(`${r.cancelled} cancelled`);
  return parts.join(", ");
}

function statusLabel(r: BackgroundRevisionData): string {
  switch (r.status) {
    case "pending":
      return "Starting…";
    case "running":
      return "Revising in the background";
    case "succeeded":
      return "Background revision finished";
    case "failed":
      return "Background revision failed";
    case "cancelled":
      return "Background revision cancelled";
  }
}

/**
 * Revise in background: the pages ticked on their cards, one instruction, one button. Then the revision's progress
 * (polled while it runs, and loaded again after a reload), Cancel, and Apply all / Discard all for its suggestions.
 * Each page's own suggestion panel still offers compare, apply and discard one by one.
 */
export function BackgroundRevisionPanel({
  storyId,
  pages,
  selected,
  onSelectAll,
  onClearSelection,
  initial,
}: {
  storyId: string;
  pages: PageData[];
  selected: ReadonlySet<string>;
  onSelectAll: (select: boolean) => void;
  onClearSelection: () => void;
  initial: BackgroundRevisionData | null;
}) {
  const id = useId();
  const router = useRouter();
  const toast = useToast();
  const [instruction, setInstruction] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [revision, setRevision] = useState<BackgroundRevisionData | null>(initial);
  // The server's view arrives again with every router.refresh(): it wins, except that a revision the author is
  // looking at stays on screen (with nothing left to review) until closed.
  const [seenInitial, setSeenInitial] = useState(initial);
  if (seenInitial !== initial) {
    setSeenInitial(initial);
    if (initial) setRevision(initial);
    else if (revision && !isActive(revision)) setRevision({ ...revision, openSuggestions: 0 });
  }
  const [pollFailures, setPollFailures] = useState(0);
  const [busy, setBusy] = useState<"cancel" | "apply" | "discard" | null>(null);
  const [report, setReport] = useState<{ tone: "success" | "warning" | "info"; text: string } | null>(null);
  const progressRef = useRef<HTMLDivElement>(null);
  const selectAllRef = useRef<HTMLInputElement>(null);

  const revisable = pages.filter((p) => p.content.trim() !== "");
  const selectedCount = revisable.filter((p) => selected.has(p.id)).length;
  const allSelected = revisable.length > 0 && selectedCount === revisable.length;
  const active = isActive(revision);

  useEffect(() => {
    if (selectAllRef.current) selectAllRef.current.indeterminate = selectedCount > 0 && !allSelected;
  }, [selectedCount, allSelected]);

  // Follows the running revision; each finished page refreshes the story so its suggestion appears on its card.
  const revisionId = revision?.id;
  useEffect(() => {
    if (!active || !revisionId) return;
    let stopped = false;
    let timer: number | undefined;
    let failures = 0;
    let lastDone = -1;
    const poll = async () => {
      const result = await callAction(() => getBackgroundRevisionAction({ storyId, jobId: revisionId }));
      if (stopped) return;
      if (!result.ok || !result.data) {
        failures += 1;
        setPollFailures(failures);
        // A revision that is gone (story deleted, access lost) stops being followed.
        if (!result.ok && result.error.code === "NOT_FOUND") {
          setRevision(null);
          return;
        }
        timer = window.setTimeout(poll, POLL_MS * Math.min(10, 2 ** failures));
        return;
      }
      failures = 0;
      setPollFailures(0);
      const next = result.data;
      setRevision(next);
      if (next.done !== lastDone || !isActive(next)) {
        lastDone = next.done;
        router.refresh();
      }
      if (isActive(next)) timer = window.setTimeout(poll, POLL_MS);
    };
    timer = window.setTimeout(poll, POLL_MS);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [active, revisionId, storyId, router]);

  async function start() {
    if (starting || active) return;
    setError(null);
    setReport(null);
    const ids = revisable.filter((p) => selected.has(p.id)).map((p) => p.id);
    if (ids.length === 0) {
      setError("Tick the pages to revise first (or Select all).");
      return;
    }
    if (instruction.trim() === "") {
      setError("Say how the pages should be revised.");
      return;
    }
    setStarting(true);
    const result = await callAction(() => requestBackgroundRevisionAction({ storyId, pageIds: ids, instruction }));
    setStarting(false);
    if (!result.ok) {
      const fields = fieldErrors(result.error.details);
      setError(fields.instruction ?? fields.pageIds ?? result.error.message);
      return;
    }
    setRevision(result.data.revision);
    if (result.data.created) {
      onClearSelection();
      setInstruction("");
      toast.show({ tone: "info", message: result.data.message });
    } else {
      setReport({ tone: "info", text: result.data.message });
    }
    router.refresh();
    requestAnimationFrame(() => progressRef.current?.focus());
  }

  async function cancel() {
    if (!revision || busy) return;
    setBusy("cancel");
    const result = await callAction(() => cancelBackgroundRevisionAction({ jobId: revision.id }));
    setBusy(null);
    if (!result.ok) {
      toast.error(result.error.message);
      return;
    }
    setRevision(result.data);
    router.refresh();
  }

  async function applyAll() {
    if (!revision || busy) return;
    setBusy("apply");
    setReport(null);
    const result = await callAction(() => applyAllSuggestionsAction({ jobId: revision.id }));
    setBusy(null);
    if (!result.ok) {
      toast.error(result.error.message);
      return;
    }
    const { applied, stale } = result.data;
    setRevision(result.data.revision);
    const appliedText = applied.length ? `Applied the suggestions to ${pageList(applied.map((a) => a.pageNumber))}.` : "No suggestion could be applied.";
    const staleText = stale.length
      ? ` ${pageList(stale.map((s) => s.pageNumber)).replace(/^p/, "P")} changed since the revision read ${stale.length === 1 ? "it" : "them"}: ${stale.length === 1 ? "its suggestion is" : "their suggestions are"} still waiting on the page to compare.`
      : "";
    setReport({ tone: stale.length ? "warning" : "success", text: appliedText + staleText });
    router.refresh();
  }

  async function discardAll() {
    if (!revision || busy) return;
    setBusy("discard");
    setReport(null);
    const result = await callAction(() => discardAllSuggestionsAction({ jobId: revision.id }));
    setBusy(null);
    if (!result.ok) {
      toast.error(result.error.message);
      return;
    }
    setRevision(result.data.revision);
    setReport({ tone: "info", text: `Discarded ${result.data.discarded} ${result.data.discarded === 1 ? "suggestion" : "suggestions"}. The pages keep their text.` });
    router.refresh();
  }

  const percent = revision && revision.total > 0 ? Math.round((revision.done / revision.total) * 100) : 0;

  return (
    <section
      aria-labelledby={`${id}-title`}
      data-testid="background-panel"
      className="space-y-3 rounded-2xl border border-violet-200 bg-violet-50/40 p-4 text-sm"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={`${id}-title`} className="flex items-center gap-2 font-semibold text-violet-950">
          <Layers aria-hidden="true" className="size-4 text-violet-600" />
          Revise in background
        </h2>
        <label className="inline-flex items-center gap-2 text-stone-700">
          <input
            ref={selectAllRef}
            type="checkbox"
            data-testid="background-select-all"
            className="size-4 accent-violet-600"
            checked={allSelected}
            disabled={revisable.length === 0}
            onChange={(e) => onSelectAll(e.target.checked)}
          />
          Select all
        </label>
      </div>

      <div className="space-y-1.5">
        <label htmlFor={`${id}-instruction`} className="block font-medium text-stone-800">
          How should the AI revise the selected pages?
        </label>
        <div className="flex flex-wrap gap-2">
          <Input
            id={`${id}-instruction`}
            data-testid="background-instruction"
            className="min-w-48 flex-1"
            value={instruction}
            maxLength={INSTRUCTION_MAX}
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
            placeholder="e.g. simpler words for young readers"
            autoComplete="off"
            onChange={(e) => setInstruction(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                void start();
              }
            }}
          />
          <Button
            data-testid="background-start"
            variant="primary"
            pending={starting}
            disabled={starting || active}
            title={active ? "A background revision of this story is running" : undefined}
            onClick={() => void start()}
          >
            Revise in background
          </Button>
        </div>
        <p id={`${id}-hint`} className="flex justify-between gap-3 text-xs text-stone-500">
          <span data-testid="background-selected-count">
            {selectedCount === 0
              ? "Tick the pages to revise on their cards. Blank pages cannot be revised."
              : `${selectedCount} ${selectedCount === 1 ? "page" : "pages"} selected. Each result waits as a suggestion on its page.`}
          </span>
          <span className="shrink-0 tabular-nums">
            {formatCount(instruction.length)} / {formatCount(INSTRUCTION_MAX)}
          </span>
        </p>
        {error ? (
          <p id={`${id}-error`} data-testid="background-error" role="alert" className="text-red-700">
            {error}
          </p>
        ) : null}
      </div>

      {revision ? (
        <div
          ref={progressRef}
          tabIndex={-1}
          data-testid="background-progress"
          data-status={revision.status}
          className="space-y-2 rounded-xl border border-violet-200 bg-white p-3 outline-none focus-visible:ring-2 focus-visible:ring-violet-500"
        >
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="font-medium text-stone-900">
              {statusLabel(revision)} <span className="font-normal text-stone-500">· “{revision.instruction}” · {revision.modelLabel}</span>
            </p>
            {!active && revision.openSuggestions === 0 ? (
              <Button
                data-testid="background-dismiss"
                variant="ghost"
                size="icon"
                aria-label="Close the background revision"
                onClick={() => setRevision(null)}
                icon={<X aria-hidden="true" className="size-4" />}
              />
            ) : null}
          </div>
          <div
            role="progressbar"
            aria-label="Background revision progress"
            aria-valuemin={0}
            aria-valuemax={revision.total}
            aria-valuenow={revision.done}
            aria-valuetext={progressText(revision)}
            className="h-2 overflow-hidden rounded-full bg-violet-100"
          >
            <div className="h-full rounded-full bg-violet-600 transition-[width]" style={{ width: `${percent}%` }} />
          </div>
          <p role="status" aria-live="polite" data-testid="background-progress-text" className="text-stone-700 tabular-nums">
            {progressText(revision)}
          </p>
          {pollFailures >= POLL_FAILURES_SHOWN ? (
            <p className="text-xs text-amber-700">We can't reach the server right now; still trying. The revision goes on regardless.</p>
          ) : null}
          {revision.skipped.length > 0 ? (
            <ul data-testid="background-skipped" className="list-inside list-disc text-xs text-stone-600">
              {revision.skipped.map((s) => (
                <li key={s.pageId}>
                  {s.pageNumber ? `Page ${s.pageNumber}` : "A deleted page"}: {s.message}
                </li>
              ))}
            </ul>
          ) : null}
          {revision.failures.length > 0 ? (
            <ul data-testid="background-failures" className="list-inside list-disc text-xs text-red-700">
              {revision.failures.map((f) => (
                <li key={f.pageId}>
                  {f.pageNumber ? `Page ${f.pageNumber}` : "A deleted page"}: {f.message}
                </li>
              ))}
            </ul>
          ) : null}
          <div className="flex flex-wrap items-center gap-2">
            {active ? (
              <Button
                data-testid="background-cancel"
                size="sm"
                variant="ghost-danger"
                pending={busy === "cancel"}
                disabled={busy !== null}
                onClick={() => void cancel()}
                icon={<X aria-hidden="true" className="size-4" />}
              >
                Cancel
              </Button>
            ) : null}
            {revision.openSuggestions > 0 ? (
              <>
                <Button
                  data-testid="background-apply-all"
                  size="sm"
                  variant="primary"
                  pending={busy === "apply"}
                  disabled={busy !== null}
                  onClick={() => void applyAll()}
                  icon={<CheckCheck aria-hidden="true" className="size-4" />}
                >
                  Apply all ({revision.openSuggestions})
                </Button>
                <Button
                  data-testid="background-discard-all"
                  size="sm"
                  variant="ghost-danger"
                  pending={busy === "discard"}
                  disabled={busy !== null}
                  onClick={() => void discardAll()}
                  icon={<Trash2 aria-hidden="true" className="size-4" />}
                >
                  Discard all
                </Button>
                <span className="text-xs text-stone-500">Or review each page&apos;s suggestion below.</span>
              </>
            ) : null}
          </div>
        </div>
      ) : null}

      {report ? (
        <Alert tone={report.tone} data-testid="background-report">
          {report.text}
        </Alert>
      ) : null}
    </section>
  );
}
