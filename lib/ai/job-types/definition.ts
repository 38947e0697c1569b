import type { Db } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import type { JobErrorCode } from "@/lib/errors";
import type { NewJob } from "../jobs/ledger";
import type { ModelChoice } from "../models";
import type { FanOutJobTypeName, ModelJobTypeName } from "./kinds";

/** Why a job may not start: a code of the catalog for the ledger and a detail for the admin's view. */
export interface JobRefusal {
  code: JobErrorCode;
  detail: string;
}

/**
 * Asked before a job starts, for work admitted as a whole but run later piece by piece (background children wait
 * behind their limit while their requester's budget may run out). A refusal fails the job for good with its code.
 */
export type JobAdmitter = (job: AiJob, tx: Db) => Promise<JobRefusal | null>;

/** What rendering a prompt has of the job: its id and what it recorded for the prompt. */
export type JobToRender = { id: string } & Pick<AiJob, "templateKey" | "templateVersion" | "promptPayload">;

/**
 * A job type that makes one model call. Only what differs from the shared steps is written down: the prompt
 * (default: the job's recorded template rendered with its payload), a check of the answer before it is stored, and
 * where the stored answer goes.
 */
export interface ModelJobType<T extends ModelJobTypeName = ModelJobTypeName> {
  kind: "model";
  type: T;
  /** The prompt for a running job; runs in the render step. Default: `renderJobPrompt`. */
  render?: (job: JobToRender) => Promise<string>;
  /**
   * Checks the finished answer inside the generate step; throw a GenerationError to end the attempt with its code
   * (retriable or not, as it says). Default: every non-empty answer is accepted.
   */
  validate?: (text: string) => void | Promise<void>;
  /**
   * Assembles the job's prompt payload again for a model with a smaller prompt budget (a fallback along the model's
   * chain, lib/ai/jobs/fallback.ts); null when it cannot (that model is then skipped). Default: none.
   */
  reassemble?: (
    job: AiJob,
    model: ModelChoice,
  ) => Promise<{ promptPayload: unknown; contextLeftOut: unknown[] } | null>;
  /**
   * Lands a succeeded job's stored output in the domain (a revision, a suggestion, ...) and returns how it landed.
   * Runs after the job succeeded, in the landing function of its domain; must be safe to run twice.
   */
  land: (job: AiJob) => Promise<string>;
}

/** A target the fan-out did not create a child for, and why (the domain names its own reasons; "busy" is ours). */
export interface SkippedTarget {
  targetId: string;
  reason: string;
}

/** What the domain wants run for one parent: the children's jobs (built from the parent's request) and the skips. */
export interface FanOutPlan {
  children: Omit<NewJob, "parentJobId">[];
  skipped: SkippedTarget[];
}

/** A job type that runs no model itself: it plans one child job per target and ends when its children have. */
export interface FanOutJobType<T extends FanOutJobTypeName = FanOutJobTypeName> {
  kind: "fan-out";
  type: T;
  /** The Inngest function id of its fan-out (stable: runs in flight are matched by it). */
  functionId: string;
  plan: (parent: AiJob) => Promise<FanOutPlan>;
}

export type JobTypeDefinition = ModelJobType | FanOutJobType;

export function defineModelJobType<T extends ModelJobTypeName>(
  definition: Omit<ModelJobType<T>, "kind">,
): ModelJobType<T> {
  return { kind: "model", ...definition };
}

export function defineFanOutJobType<T extends FanOutJobTypeName>(
  definition: Omit<FanOutJobType<T>, "kind">,
): FanOutJobType<T> {
  return { kind: "fan-out", ...definition };
}
