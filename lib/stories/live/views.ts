import type { AiJob, AiJobType } from "@/db/ai-schema";
import type { JobUpdate, LiveJobViews } from "@/lib/ai";
import { getDb } from "@/db";
import { toIllustrationJobView, type IllustrationJobView } from "../illustrations/view";
import { toPageJobView, type PageJobView } from "../page-jobs/view";
import { toTakeSetView, toTakeView, type TakeSetView, type TakeView } from "../takes/view";

/**
 * What the story's event stream says about each of its jobs, by job type. A page job is its PageJobView (what the
 * editor already shows) plus its target; any other type — background revisions today, summaries, codex suggestions,
 * takes, translations, imports and illustrations as they come — is the generic shape below until it registers a
 * view of its own in `storyJobViews`.
 */

/** The generic shape of a job on the stream. `progress` is set for a fan-out parent while it runs. */
export interface GenericJobEvent {
  id: string;
  jobType: AiJob["jobType"];
  targetType: string;
  targetId: string;
  status: AiJob["status"];
  parentJobId: string | null;
  errorCode: string | null;
  createdAt: string;
  completedAt: string | null;
  progress?: { done: number; total: number };
}

export type PageJobEvent = PageJobView & { targetType: "page"; targetId: string };

/** A take set with its takes (the page shows them side by side); each take also streams as a TakeEvent. */
export type TakeSetEvent = TakeSetView;
/** One take while it is written: its text so far, tokens and times; the page finds it in its set by id. */
export type TakeEvent = Omit<TakeView, "number" | "chosen"> & {
  jobType: "page_text.take";
  setId: string;
  targetType: string;
  targetId: string;
};

export type IllustrationJobEvent = IllustrationJobView & { targetType: "page_illustration"; targetId: string };

export type StoryJobEvent = PageJobEvent | TakeSetEvent | TakeEvent | IllustrationJobEvent | GenericJobEvent;

/** One job type's entry: the view, its cheap fingerprint and how an in-process push changes it (LiveJobViews). */
export type StoryJobViewEntry = LiveJobViews<StoryJobEvent>;

const isActive = (job: AiJob) => job.status === "pending" || job.status === "running";

/** A fan-out parent's children in this read: an active parent's children are always in it (listLiveScopeJobs). */
function progressOf(job: AiJob, read: readonly AiJob[]): GenericJobEvent["progress"] {
  if (job.parentJobId !== null || !isActive(job)) return undefined;
  const children = read.filter((c) => c.parentJobId === job.id);
  if (children.length === 0) return undefined;
  return { done: children.filter((c) => !isActive(c)).length, total: children.length };
}

const genericView: StoryJobViewEntry = {
  view(job, read) {
    const progress = progressOf(job, read);
    return {
      id: job.id,
      jobType: job.jobType,
      targetType: job.targetType,
      targetId: job.targetId,
      status: job.status,
      parentJobId: job.parentJobId,
      errorCode: job.errorCode,
      createdAt: job.createdAt.toISOString(),
      completedAt: job.completedAt?.toISOString() ?? null,
      ...(progress ? { progress } : {}),
    };
  },
  key(job, read) {
    const progress = progressOf(job, read);
    return [
      job.status,
      job.updatedAt.getTime(),
      job.landedAt?.getTime(),
      job.errorCode,
      progress?.done,
      progress?.total,
    ]
      .map(String)
      .join("|");
  },
};

/**
 * The section each running sectioned revision was last seen on. Only the running step's live updates know it (the
 * ledger has the text so far, not the section), so a view rebuilt from the ledger keeps the one seen live.
 */
const liveSections = new Map<string, number>();

function withLiveSection(view: PageJobView): PageJobView {
  if (view.status !== "pending" && view.status !== "running") {
    liveSections.delete(view.id);
    return view;
  }
  const current = liveSections.get(view.id);
  return view.sections && current !== undefined ? { ...view, sections: { ...view.sections, current } } : view;
}

const pageView: StoryJobViewEntry = {
  async view(job) {
    return { ...withLiveSection(await toPageJobView(job)), targetType: "page", targetId: job.targetId };
  },
  key(job) {
    // Until a succeeded job's text has landed its view changes without its row (the revision or suggestion is
    // written elsewhere): rebuilt every tick, which is only the few seconds of landing.
    if (job.status === "succeeded" && job.landedAt === null) return null;
    return [job.status, job.updatedAt.getTime(), job.landedAt?.getTime(), job.partialText?.length]
      .map(String)
      .join("|");
  },
  push(view, update: JobUpdate) {
    if (update.partialText === undefined || !("partialText" in view)) return null;
    if (view.status !== "pending" && view.status !== "running") return null;
    if (update.section) liveSections.set(update.jobId, update.section.number);
    const sections =
      "sections" in view && view.sections && update.section
        ? { ...view.sections, current: update.section.number }
        : "sections" in view
          ? view.sections
          : undefined;
    return {
      ...view,
      status: "running",
      partialText: update.partialText,
      ...(sections !== undefined ? { sections } : {}),
    };
  },
};

const takeSetView: StoryJobViewEntry = {
  async view(job, read) {
    // The set's takes in this read when there are (an active set's always are), so a tick reads nothing more.
    const children = read.filter((c) => c.parentJobId === job.id);
    return toTakeSetView(await getDb(), job, children.length > 0 ? children : undefined);
  },
  key(job, read) {
    // The set changes with its takes (their states, tokens, the choice): their rows are part of its fingerprint.
    const children = read
      .filter((c) => c.parentJobId === job.id)
      .map((c) => `${c.id}:${c.status}:${c.updatedAt.getTime()}:${c.discardedAt?.getTime()}`);
    return [job.status, job.updatedAt.getTime(), job.discardedAt?.getTime(), ...children].map(String).join("|");
  },
};

const takeView: StoryJobViewEntry = {
  view(job) {
    const { number: _n, chosen: _c, ...take } = toTakeView(job, 0, null);
    return {
      ...take,
      jobType: "page_text.take",
      setId: job.parentJobId ?? "",
      targetType: job.targetType,
      targetId: job.targetId,
    } satisfies TakeEvent;
  },
  key(job) {
    return [job.status, job.updatedAt.getTime(), job.discardedAt?.getTime(), job.partialText?.length]
      .map(String)
      .join("|");
  },
  push(view, update: JobUpdate) {
    if (update.partialText === undefined || view.jobType !== "page_text.take") return null;
    const take = view as TakeEvent;
    if (take.status !== "pending" && take.status !== "running") return null;
    return { ...take, status: "running", text: update.partialText };
  },
};

/** An Illustrate job: its phase (describing, drawing, …) and the scene once described. */
const illustrationView: StoryJobViewEntry = {
  view(job) {
    return { ...toIllustrationJobView(job), targetType: "page_illustration", targetId: job.targetId };
  },
  key(job) {
    return [job.status, job.updatedAt.getTime(), job.partialText?.length, job.promptHash].map(String).join("|");
  },
};

/** Job types with a view of their own; the others get the generic shape. */
export const storyJobViews: Partial<Record<AiJobType, StoryJobViewEntry>> = {
  "page_text.write": pageView,
  "page_text.revise": pageView,
  "page_text.takes": takeSetView,
  "page_text.take": takeView,
  "page.illustrate": illustrationView,
};

/** The views of every job type, as the story hub uses them. */
export const storyJobEventViews: StoryJobViewEntry = {
  view: (job, read) => (storyJobViews[job.jobType] ?? genericView).view(job, read),
  key: (job, read) => {
    const entry = storyJobViews[job.jobType] ?? genericView;
    return entry.key ? entry.key(job, read) : null;
  },
  push: (view, update) => {
    const entry = storyJobViews[view.jobType] ?? genericView;
    return entry.push ? entry.push(view, update) : null;
  },
};
