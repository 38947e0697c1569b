import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { Db } from "@/db";
import { countSectionAttempt } from "../jobs/ledger";
import { permanentFailure } from "../jobs/job-failure";
import { costUsd, roundCost } from "../pricing";
import {
  isSectionedPayload,
  joinRevisedSections,
  sectionParts,
  sectionVariables,
  type SectionedPayload,
} from "../sections";
import type { JobToRender } from "./definition";
import { type GeneratedText, type GenerateSettings, generateJobText, renderJobPrompt } from "./steps";

/*
 * The steps of a job that revises a text too long for one prompt, section by section (lib/ai/sections.ts cuts it
 * when the job is requested and the payload records the sections). The runner gives each section an engine step of
 * its own, so a crash or a retry resumes at the section it was on and the sections already revised are replayed from
 * the engine's memory, never asked for again.
 */

/** Every section's prompt, rendered in the render step so that a template that cannot render fails before any call. */
export async function renderSectionPrompts(job: JobToRender & { promptPayload: SectionedPayload }): Promise<string[]> {
  const prompts: string[] = [];
  for (let i = 0; i < job.promptPayload.textSections.length; i++)
    prompts.push(await renderJobPrompt(job, sectionVariables(job.promptPayload, i)));
  return prompts;
}

/** One section's revision as its step records it: already in the original's whitespace, ready to be joined. */
export interface SectionResult {
  text: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  /** ISO time: step results are JSON. */
  firstTokenAt: string | null;
}

/**
 * Revises section `index` of a running job, given the sections revised before it (their step results). Streams as
 * the text so far (those sections, then this one's answer), so the page's streaming view reads the page from the top.
 * The last section validates the whole text, as the job type would check a one-piece answer. A cancelled job stops
 * here before calling the model (the attempt's status guard) or at the next partial save while it streams.
 */
export async function generateSection(
  db: Db,
  jobId: string,
  index: number,
  before: readonly SectionResult[],
  deps: {
    model: (job: { provider: string; model: string; jobType: string }) => LanguageModelV4;
    settings: GenerateSettings;
    validate: (text: string) => Promise<void>;
  },
): Promise<SectionResult> {
  const revisedSoFar = before.map((s) => s.text).join("");
  const job = await countSectionAttempt(db, jobId, revisedSoFar);
  if (!job) throw permanentFailure("GEN_CANCELLED", "the job is no longer running");
  if (!isSectionedPayload(job.promptPayload)) {
    throw permanentFailure("INTERNAL", "the job's payload has no sections");
  }
  const sections = job.promptPayload.textSections;
  const original = sections[index]!.text;
  const prompt = await renderJobPrompt({ id: jobId, ...job }, sectionVariables(job.promptPayload, index));
  const { lead } = sectionParts(original);
  const result = await generateJobText(db, jobId, {
    model: deps.model(job),
    prompt,
    ...deps.settings,
    shownAs: (answer) => revisedSoFar + lead + answer.trimStart(),
    section: { number: index + 1, count: sections.length },
  });
  const text = joinRevisedSections([original], [result.text]);
  if (index === sections.length - 1) await deps.validate(revisedSoFar + text);
  return {
    text,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
    costUsd: costUsd(job.model, result),
    firstTokenAt: result.firstTokenAt?.toISOString() ?? null,
  };
}

/** The job's answer from its sections: the text joined in order, tokens and cost summed, the first token's time. */
export function combineSections(results: readonly SectionResult[]): GeneratedText {
  const priced = results.filter((r) => r.costUsd !== null);
  return {
    text: results.map((r) => r.text).join(""),
    inputTokens: results.reduce((sum, r) => sum + r.inputTokens, 0),
    outputTokens: results.reduce((sum, r) => sum + r.outputTokens, 0),
    // Unpriced models price no section; the sum is rounded as the ledger stores it.
    costUsd: priced.length === 0 ? null : roundCost(priced.reduce((sum, r) => sum + r.costUsd!, 0)),
    firstTokenAt: results.find((r) => r.firstTokenAt !== null)?.firstTokenAt ?? null,
  };
}
