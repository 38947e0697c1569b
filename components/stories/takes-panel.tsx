"use client";

import { Layers } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useId, useState } from "react";
import {
  cancelTakeSetAction,
  chooseTakeAction,
  getOpenTakeSetAction,
  requestAnotherTakeAction,
  requestTakesAction,
} from "@/app/actions/takes";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { formatElapsed, useSecondClock } from "@/components/ui/elapsed";
import type { ActionResult } from "@/lib/action-result";
import type { StoryJobEvent, TakeEvent, TakeSetView, TakeView } from "@/lib/stories";
import { limits } from "@/lib/stories/limits";
import { callAction } from "@/lib/ui/call-action";
import { formatCount } from "@/lib/ui/format";
import { useStoryEvents } from "./story-events";

const COUNTS = Array.from({ length: limits.takesMax - limits.takesMin + 1 }, (_v, i) => limits.takesMin + i);

const isActive = (status: string) => status === "pending" || status === "running";

function isTakeSet(event: StoryJobEvent): event is TakeSetView {
  return event.jobType === "page_text.takes" && "takes" in event;
}
function isTake(event: StoryJobEvent): event is TakeEvent {
  return event.jobType === "page_text.take" && "setId" in event;
}

/** A take's live event folded into the set (the set's own events bring the structure: new takes, the choice). */
function withTake(set: TakeSetView, event: TakeEvent): TakeSetView {
  if (event.setId !== set.id || !set.takes.some((t) => t.id === event.id)) return set;
  return {
    ...set,
    takes: set.takes.map((t) =>
      t.id === event.id ? { ...t, ...event, number: t.number, chosen: t.chosen, discarded: event.discarded } : t,
    ),
  };
}

/**
 * Generate takes, next to Generate: the author asks for 2–4 takes of the same request, reads them side by side as
 * they stream (stacked on narrow screens), and chooses one, asks for another take, or cancels. The page's open set
 * is loaded on mount and followed on the story's event stream, so a reload or another tab shows the same takes.
 */
export function TakesPanel({
  pageId,
  instruction,
  busy,
}: {
  pageId: string;
  instruction: string;
  /** Generate is running, or the editor is saving: no new takes now. */
  busy: boolean;
}) {
  const id = useId();
  const router = useRouter();
  const events = useStoryEvents();
  const [count, setCount] = useState<number>(limits.takesDefault);
  const [set, setSet] = useState<TakeSetView | null>(null);
  const [pending, setPending] = useState<"start" | "more" | "choose" | "cancel" | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await callAction(() => getOpenTakeSetAction({ pageId }));
    if (result.ok)
      setSet(
        (current) =>
          result.data ?? (current && (current.state === "chosen" || current.state === "dismissed") ? current : null),
      );
  }, [pageId]);

  useEffect(() => {
    void load();
  }, [load]);

  // Every set of this page and its takes, from the story's one stream (this tab's requests, another tab's, the API's).
  const subscribeAll = events?.subscribeAll;
  useEffect(() => {
    if (!subscribeAll) return;
    return subscribeAll((event) => {
      if (isTakeSet(event) && event.pageId === pageId) {
        setSet((current) => {
          // A settled set of another id does not replace the one the author is looking at.
          if (current && current.id !== event.id && event.state !== "writing" && event.state !== "ready")
            return current;
          return event;
        });
      } else if (isTake(event)) {
        setSet((current) => (current ? withTake(current, event) : current));
      }
    });
  }, [subscribeAll, pageId]);

  // While takes are written and the stream is down, the set is read again every 1.5 s.
  const writing = set?.state === "writing";
  const streamDown = !events || events.status === "down";
  useEffect(() => {
    if (!writing || !streamDown) return;
    const timer = setInterval(() => void load(), 1500);
    return () => clearInterval(timer);
  }, [writing, streamDown, load]);

  async function run<T>(
    kind: NonNullable<typeof pending>,
    call: () => Promise<ActionResult<T>>,
    then: (data: T) => void,
  ) {
    setPending(kind);
    setError(null);
    const result = await callAction(call);
    setPending(null);
    if (result.ok) then(result.data);
    else setError(result.error.message);
  }

  const open = set !== null && (set.state === "writing" || set.state === "ready");
  const startDisabled = busy || open || pending !== null;

  return (
    <section
      aria-labelledby={`${id}-title`}
      data-testid="takes-panel"
      className="space-y-3 rounded-xl border border-sky-200 bg-sky-50/40 p-3 sm:p-4"
    >
      <div className="flex flex-wrap items-end gap-x-3 gap-y-2">
        <h3 id={`${id}-title`} className="w-full text-sm font-medium text-stone-800">
          Takes <span className="font-normal text-stone-600">— several versions to choose from</span>
        </h3>
        <div className="flex items-center gap-2">
          <label htmlFor={`${id}-count`} className="text-sm text-stone-700">
            Number of takes
          </label>
          <select
            id={`${id}-count`}
            data-testid="takes-count"
            value={count}
            disabled={startDisabled}
            onChange={(e) => setCount(Number(e.target.value))}
            className="h-8 rounded-md border border-stone-300 bg-white px-2 text-sm text-stone-800 focus-visible:ring-2 focus-visible:ring-emerald-600"
          >
            {COUNTS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <Button
          data-testid="takes-button"
          size="sm"
          pending={pending === "start"}
          disabled={startDisabled}
          onClick={() =>
            void run(
              "start",
              () => requestTakesAction({ pageId, count, instruction: instruction.trim() }),
              (outcome) => setSet(outcome.set),
            )
          }
          icon={<Layers aria-hidden="true" className="size-4 text-sky-700" />}
        >
          {pending === "start" ? "Starting…" : "Generate takes"}
        </Button>
        <span className="text-xs text-stone-600">Each take is a model call of its own, counted in your budget.</span>
      </div>

      {error ? <Alert data-testid="takes-error">{error}</Alert> : null}

      {set && set.state === "chosen" ? (
        <Alert tone="success" data-testid="takes-outcome">
          {(() => {
            const chosen = set.takes.find((t) => t.id === set.chosenTakeId);
            const name = chosen ? `Take ${chosen.number}` : "The chosen take";
            return set.landing === "suggested"
              ? `${name} waits as a suggestion: the page changed while the takes were written.`
              : `${name} is now the page's text. The other takes were discarded.`;
          })()}
        </Alert>
      ) : null}

      {set && open ? (
        <div className="space-y-3">
          <p className="text-xs text-stone-600" aria-live="polite" data-testid="takes-state">
            {set.state === "writing"
              ? `Writing ${set.takes.filter((t) => isActive(t.status)).length} of ${set.takes.length} takes…`
              : `${set.takes.length} takes ready: choose one.`}
          </p>
          <ol
            className={`grid gap-3 ${set.takes.length >= 3 ? "md:grid-cols-2 xl:grid-cols-3" : "md:grid-cols-2"}`}
            aria-label="Takes"
          >
            {set.takes.map((take) => (
              <TakeCard
                key={take.id}
                take={take}
                canChoose={pending === null && take.status === "succeeded" && !take.discarded}
                choosing={pending === "choose"}
                onChoose={() =>
                  void run(
                    "choose",
                    () => chooseTakeAction({ setId: set.id, takeId: take.id }),
                    (chosen) => {
                      setSet(chosen);
                      router.refresh();
                    },
                  )
                }
              />
            ))}
          </ol>
          <div className="flex flex-wrap gap-2">
            <Button
              data-testid="takes-more"
              size="sm"
              pending={pending === "more"}
              disabled={pending !== null || set.takes.length >= limits.takesPerSetMax}
              onClick={() => void run("more", () => requestAnotherTakeAction({ setId: set.id }), setSet)}
            >
              Another take
            </Button>
            <Button
              data-testid="takes-cancel"
              size="sm"
              variant="ghost-danger"
              pending={pending === "cancel"}
              disabled={pending !== null}
              onClick={() =>
                void run(
                  "cancel",
                  () => cancelTakeSetAction({ setId: set.id }),
                  () => setSet(null),
                )
              }
            >
              Cancel takes
            </Button>
          </div>
        </div>
      ) : null}
    </section>
  );
}

function TakeCard({
  take,
  canChoose,
  choosing,
  onChoose,
}: {
  take: TakeView;
  canChoose: boolean;
  choosing: boolean;
  onChoose: () => void;
}) {
  const clock = useSecondClock();
  const active = isActive(take.status);
  const elapsed =
    take.elapsedMs ?? (take.startedAt && clock !== null ? Math.max(0, clock - Date.parse(take.startedAt)) : null);
  const headingId = `take-${take.id}`;
  return (
    <li
      data-testid="take-card"
      data-take-number={take.number}
      data-status={take.status}
      aria-labelledby={headingId}
      aria-busy={active}
      className="flex min-w-0 flex-col gap-2 rounded-lg border border-stone-200 bg-white p-3"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h4 id={headingId} className="text-sm font-semibold text-stone-800">
          Take {take.number}
        </h4>
        <span className="text-xs text-stone-600" data-testid="take-status">
          {active
            ? "Writing…"
            : take.status === "succeeded"
              ? "Done"
              : take.status === "failed"
                ? "Failed"
                : "Cancelled"}
        </span>
      </div>
      <dl className="grid grid-cols-2 gap-x-3 gap-y-0.5 text-xs text-stone-600" data-testid="take-meta">
        <dt>Tokens</dt>
        <dd className="tabular-nums" data-testid="take-tokens">
          {take.outputTokens === null
            ? "—"
            : `${formatCount(take.inputTokens ?? 0)} in · ${formatCount(take.outputTokens)} out`}
        </dd>
        <dt>Cost</dt>
        <dd className="tabular-nums" data-testid="take-cost">
          {take.costUsd === null ? "—" : `$${take.costUsd.toFixed(4)}`}
        </dd>
        <dt>Time</dt>
        <dd className="tabular-nums" data-testid="take-elapsed">
          {elapsed === null ? "—" : formatElapsed(elapsed)}
        </dd>
        <dt>Sampling</dt>
        <dd className="tabular-nums" data-testid="take-sampling">
          {take.temperature === null ? "default" : `temperature ${take.temperature}, seed ${take.seed}`}
        </dd>
      </dl>
      <div
        data-testid="take-text"
        className="max-h-80 min-h-16 overflow-y-auto whitespace-pre-wrap rounded-md bg-stone-50 p-2 text-sm text-stone-800"
      >
        {take.text || (active ? "…" : "")}
      </div>
      {take.errorMessage ? <p className="text-xs text-red-700">{take.errorMessage}</p> : null}
      <Button
        data-testid="take-choose"
        size="sm"
        variant="primary"
        disabled={!canChoose}
        pending={choosing && canChoose}
        onClick={onChoose}
        aria-describedby={headingId}
      >
        Choose take {take.number}
      </Button>
    </li>
  );
}
