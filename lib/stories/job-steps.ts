import type { JobStep } from "@/lib/ai";

/** One step of a chained job (Revise, then proofread) as the author and the admin see it. */
export interface JobStepView {
  name: string;
  /** "page_proofread v1": the template and the version it rendered. */
  template: string;
  /** The step has run: its record below is filled. */
  done: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  startedAt: string | null;
  firstTokenAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  /** A step whose input was too long for one answer ran in this many calls, one per section; null: in one call. */
  sections: number | null;
}

/** The steps of a chained job, in order (null for a one-call job). */
export function jobStepViews(steps: readonly JobStep[] | null): JobStepView[] | null {
  if (!steps || steps.length < 2) return null;
  return steps.map((step) => {
    const record = step.record;
    const started = record?.startedAt ? Date.parse(record.startedAt) : Number.NaN;
    const completed = record ? Date.parse(record.completedAt) : Number.NaN;
    return {
      name: step.name,
      template: `${step.templateKey} v${step.templateVersion}`,
      done: record !== undefined,
      inputTokens: record?.inputTokens ?? null,
      outputTokens: record?.outputTokens ?? null,
      costUsd: record?.costUsd ?? null,
      startedAt: record?.startedAt ?? null,
      firstTokenAt: record?.firstTokenAt ?? null,
      completedAt: record?.completedAt ?? null,
      durationMs: Number.isFinite(started) && Number.isFinite(completed) ? Math.max(0, completed - started) : null,
      sections: record?.sections ?? null,
    };
  });
}
