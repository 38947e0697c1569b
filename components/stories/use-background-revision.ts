"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import {
  applyAllSuggestionsAction,
  cancelBackgroundRevisionAction,
  discardAllSuggestionsAction,
  getBackgroundRevisionAction,
  requestBackgroundRevisionAction,
} from "@/app/actions/background";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/action-result";
import { callAction, fieldErrors } from "@/lib/ui/call-action";
import { applyAllReport, discardAllReport } from "./background-revision-text";
import type { BackgroundRevisionData } from "./types";

/** What each page's job does: one revision, or a revision then a proofreading of it (two recorded steps). */
export type BackgroundWorkflowChoice = BackgroundRevisionData["workflow"];

const POLL_MS = 1000;

const isRevisionActive = (r: BackgroundRevisionData | null) =>
  r !== null && (r.status === "pending" || r.status === "running");

/** A line under the revision's progress that tells what the last bulk action did. */
export interface RevisionReport {
  tone: "success" | "warning" | "info";
  text: string;
}

/** Starting a revision either failed (the message says why) or returned the story's revision. */
export type StartOutcome = { error: string } | { created: boolean };

/**
 * A story's background revision: starting one, following it while it runs (polling, since it spans many jobs), and
 * cancel, Apply all and Discard all. Each change refreshes the story so the pages' own suggestions appear.
 */
export function useBackgroundRevision({
  storyId,
  initial,
}: {
  storyId: string;
  initial: BackgroundRevisionData | null;
}) {
  const router = useRouter();
  const toast = useToast();
  const [revision, setRevision] = useState<BackgroundRevisionData | null>(initial);
  // The server's view arrives again with every router.refresh(): it wins, except that a revision the author is
  // looking at stays on screen (with nothing left to review) until closed.
  const [seenInitial, setSeenInitial] = useState(initial);
  if (seenInitial !== initial) {
    setSeenInitial(initial);
    if (initial) setRevision(initial);
    else if (revision && !isRevisionActive(revision)) setRevision({ ...revision, openSuggestions: 0 });
  }
  /** Failed polls in a row (the panel says so after a few). */
  const [pollFailures, setPollFailures] = useState(0);
  const [busy, setBusy] = useState<"cancel" | "apply" | "discard" | null>(null);
  const [report, setReport] = useState<RevisionReport | null>(null);
  const active = isRevisionActive(revision);

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
      if (next.done !== lastDone || !isRevisionActive(next)) {
        lastDone = next.done;
        router.refresh();
      }
      if (isRevisionActive(next)) timer = window.setTimeout(poll, POLL_MS);
    };
    timer = window.setTimeout(poll, POLL_MS);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [active, revisionId, storyId, router]);

  /** Asks for a revision of `pageIds`; the server may answer with the one already running instead of a new one. */
  async function start(
    pageIds: string[],
    instruction: string,
    workflow: BackgroundWorkflowChoice = "revise",
  ): Promise<StartOutcome> {
    const result = await callAction(() => requestBackgroundRevisionAction({ storyId, pageIds, instruction, workflow }));
    if (!result.ok) {
      const fields = fieldErrors(result.error.details);
      return { error: fields.instruction ?? fields.pageIds ?? result.error.message };
    }
    setRevision(result.data.revision);
    if (result.data.created) toast.show({ tone: "info", message: result.data.message });
    else setReport({ tone: "info", text: result.data.message });
    router.refresh();
    return { created: result.data.created };
  }

  /**
   * One of the revision's own actions (cancel, apply all, discard all): one at a time, and each refreshes the story,
   * since it changes pages or their suggestions. A bulk action replaces the last report with its own.
   */
  async function runRevisionAction<T>(
    kind: "cancel" | "apply" | "discard",
    run: (jobId: string) => Promise<ActionResult<T>>,
    done: (data: T) => void,
  ) {
    if (!revision || busy) return;
    setBusy(kind);
    if (kind !== "cancel") setReport(null);
    const result = await callAction(() => run(revision.id));
    setBusy(null);
    if (!result.ok) {
      toast.error(result.error.message);
      return;
    }
    done(result.data);
    router.refresh();
  }

  const cancel = () =>
    runRevisionAction(
      "cancel",
      (jobId) => cancelBackgroundRevisionAction({ jobId }),
      (next) => setRevision(next),
    );

  const applyAll = () =>
    runRevisionAction(
      "apply",
      (jobId) => applyAllSuggestionsAction({ jobId }),
      ({ revision: next, applied, stale, alreadyResolved }) => {
        setRevision(next);
        setReport(applyAllReport(applied, stale, alreadyResolved));
      },
    );

  const discardAll = () =>
    runRevisionAction(
      "discard",
      (jobId) => discardAllSuggestionsAction({ jobId }),
      ({ revision: next, pages }) => {
        setRevision(next);
        setReport(discardAllReport(pages));
      },
    );

  return {
    revision,
    active,
    pollFailures,
    busy,
    report,
    clearReport: () => setReport(null),
    start,
    cancel: () => void cancel(),
    applyAll: () => void applyAll(),
    discardAll: () => void discardAll(),
    /** Hides a finished revision with nothing left to review. */
    close: () => setRevision(null),
  };
}
