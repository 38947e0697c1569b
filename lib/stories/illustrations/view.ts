import type { AiJob } from "@/db/ai-schema";
import type { PageIllustration } from "@/db/illustrations-schema";
import { jobFailureMessage } from "@/lib/errors";

/** One attempt at a page's illustration as the app shows it. */
export interface IllustrationView {
  id: string;
  pageId: string;
  storyId: string;
  sceneDescription: string;
  imagePrompt: string;
  /** The authorized route that serves the bytes (the id in it never changes, so the image is cached for good). */
  imageUrl: string;
  contentType: string;
  width: number;
  height: number;
  byteSize: number;
  model: string;
  /** Drawn by the offline illustrator: labelled so wherever it shows. */
  offline: boolean;
  chosen: boolean;
  createdAt: string;
}

export function illustrationImageUrl(id: string): string {
  return `/api/illustrations/${id}/image`;
}

export function toIllustrationView(row: PageIllustration): IllustrationView {
  return {
    id: row.id,
    pageId: row.pageId,
    storyId: row.storyId,
    sceneDescription: row.sceneDescription,
    imagePrompt: row.imagePrompt,
    imageUrl: illustrationImageUrl(row.id),
    contentType: row.contentType,
    width: row.width,
    height: row.height,
    byteSize: row.byteSize,
    model: row.model,
    offline: row.offline,
    chosen: row.chosenAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
}

export type IllustrationPhase = "queued" | "describing" | "prompting" | "drawing" | "done" | "failed" | "cancelled";

/** An Illustrate job as the page and the story's event stream show it. */
export interface IllustrationJobView {
  id: string;
  jobType: "page.illustrate";
  pageId: string;
  status: AiJob["status"];
  phase: IllustrationPhase;
  /** What the author reads: the phase while it runs, the outcome after. */
  message: string;
  /** The scene once described (running or done). */
  sceneDescription: string | null;
  errorCode: string | null;
  attempts: number;
  createdAt: string;
  completedAt: string | null;
}

/**
 * The phase of a job from its ledger row alone: running with no scene yet is describing; a scene (kept as the job's
 * partial text) but no prompt hash is building the prompt; a prompt hash is drawing.
 */
export function illustrationPhase(job: AiJob): IllustrationPhase {
  if (job.status === "pending") return "queued";
  if (job.status === "succeeded") return "done";
  if (job.status === "failed") return "failed";
  if (job.status === "cancelled") return "cancelled";
  if (job.partialText === null) return "describing";
  return job.promptHash === null ? "prompting" : "drawing";
}

const phaseMessages: Record<IllustrationPhase, string> = {
  queued: "Queued…",
  describing: "Describing the scene…",
  prompting: "Writing the image prompt…",
  drawing: "Drawing…",
  done: "Done.",
  failed: "",
  cancelled: "Cancelled. Nothing was stored.",
};

export function toIllustrationJobView(job: AiJob): IllustrationJobView {
  const phase = illustrationPhase(job);
  const message =
    phase === "failed" ? `${jobFailureMessage(job.errorCode, "item")} Nothing was stored.` : phaseMessages[phase];
  const scene = job.partialText ?? (job.status === "succeeded" ? sceneOfOutput(job.outputText) : null);
  return {
    id: job.id,
    jobType: "page.illustrate",
    pageId: job.targetId,
    status: job.status,
    phase,
    message,
    sceneDescription: scene,
    errorCode: job.errorCode,
    attempts: job.attempts,
    createdAt: job.createdAt.toISOString(),
    completedAt: job.completedAt?.toISOString() ?? null,
  };
}

/** What a succeeded Illustrate job records as its output (ai_jobs.output_text, JSON). */
export interface IllustrationOutput {
  illustrationId: string;
  sceneDescription: string;
  imagePrompt: string;
  size: string;
  bytes: number;
  width: number;
  height: number;
  contentType: string;
  storage: string;
  timingsMs: { scene: number; prompt: number; generation: number; storage: number };
}

function sceneOfOutput(text: string | null): string | null {
  if (!text) return null;
  try {
    return (JSON.parse(text) as IllustrationOutput).sceneDescription ?? null;
  } catch {
    return null;
  }
}
