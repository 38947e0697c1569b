/** Plain, serialisable shapes that server pages hand to the client components. */

import type { ContentRating } from "@/db/content-ratings";
import type { SuggestionReason } from "@/db/suggestions-schema";

export interface StoryRowData {
  id: string;
  title: string;
  description: string;
  ownerName: string;
  pageCount: number;
  /** ISO timestamp of the last edit. */
  updatedAt: string;
  /** The viewer's role; null for an admin who is not a member. */
  role: "owner" | "editor" | "reader" | null;
}

export interface StoryHeaderData {
  id: string;
  title: string;
  description: string;
  /** BCP-47 tag: the language the story is written in and the AI writes in. */
  language: string;
  contentRating: ContentRating;
  /** The model registry id the author chose for the story's prose; null = the site's default. */
  modelId: string | null;
  updatedAt: string;
}

/** The highest rating the viewer's jobs can reach, and which maximum sets it. */
export interface RatingLimitData {
  effectiveMax: ContentRating;
  setBy: "site" | "user";
}

export interface PageData {
  id: string;
  /** Fractional-index key: pages sort by it, byte by byte. */
  position: string;
  content: string;
  version: number;
  updatedAt: string;
}

export function toPageData(page: {
  id: string;
  position: string;
  content: string;
  version: number;
  updatedAt: Date | string;
}): PageData {
  return {
    id: page.id,
    position: page.position,
    content: page.content,
    version: page.version,
    updatedAt: typeof page.updatedAt === "string" ? page.updatedAt : page.updatedAt.toISOString(),
  };
}

/** Byte order, like the database's "C" collation (keys are ASCII). */
export function byPosition(a: PageData, b: PageData): number {
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
}

/** An AI job on a page, as the server sends it (actions, the job's JSON and its event stream). */
export type { PageJobView as PageJobData } from "@/lib/stories";

/** A story's background revision (progress, failures, open suggestions), as the server sends it. */
export type { BackgroundRevisionView as BackgroundRevisionData } from "@/lib/stories";

/** AI text kept next to a page instead of overwriting it (the page changed while the job ran). */
export interface SuggestionData {
  id: string;
  pageId: string;
  jobId: string;
  content: string;
  /** The page version the job started from. */
  baseVersion: number;
  createdAt: string;
  /** Set when the suggestion comes from a background revision (not from a page edited during a Generate). */
  parentJobId?: string | null;
  /** Why it waits for the author (the page changed, a background revision, a job started by a non-editor). */
  reason?: SuggestionReason | null;
}

export function toSuggestionData(s: {
  id: string;
  pageId: string;
  jobId: string;
  content: string;
  baseVersion: number;
  createdAt: Date | string;
  parentJobId?: string | null;
  reason?: SuggestionReason | null;
}): SuggestionData {
  return {
    id: s.id,
    pageId: s.pageId,
    jobId: s.jobId,
    content: s.content,
    baseVersion: s.baseVersion,
    createdAt: typeof s.createdAt === "string" ? s.createdAt : s.createdAt.toISOString(),
    parentJobId: s.parentJobId ?? null,
    reason: s.reason ?? null,
  };
}

/** A page's summary (text, pinned, stale, its running job), and a story's Summarize all, as the server sends them. */
export type { PageSummaryView as PageSummaryData, SummarizeAllView as SummarizeAllData } from "@/lib/stories";
