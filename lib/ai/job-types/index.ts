/**
 * Job types: one registry, each type a small definition composed from the shared steps (render, generate,
 * validate, land in ./steps.ts). lib/ai holds the generic part and never imports a domain; each domain defines its
 * types on its own side (lib/stories/job-types/) and lists them once (lib/stories/functions/index.ts builds the registry).
 *
 * Adding a type (summaries, takes, translations, imports, illustrations) is one definition file on the domain's side,
 * listed in that domain's job-types index, plus its name in the ledger's `aiJobTypes` (db/ai-schema.ts) and its kind
 * in ./kinds.ts (the compiler asks for it). For example, a page summary:
 *
 * ```ts
 * // lib/stories/job-types/page-summary.ts
 * export const pageSummary = defineModelJobType({
 *   type: "page_summary.write",
 *   // render: the recorded template and payload by default; validate: e.g. refuse an answer over the limit
 *   validate: (text) => {
 *     if (text.length > SUMMARY_MAX) throw new GenerationError("GEN_CONSTRAINT_FAIL", "summary too long", false);
 *   },
 *   land: async (job) => saveSummary(job), // how the stored answer lands; safe to run twice
 * });
 * ```
 *
 * A set of jobs run together (a take set, a background revision) is a fan-out type: `defineFanOutJobType` with a
 * `plan` that builds one child job per target; children are model jobs and run under the background limit.
 */
export { defineFanOutJobType, defineModelJobType } from "./definition";
export type { FanOutJobType, FanOutPlan, JobRefusal, JobTypeDefinition, ModelJobType } from "./definition";
export { isFanOutJobType, jobTypeKinds } from "./kinds";
export { createJobTypeRegistry, type JobTypeRegistry } from "./registry";
// For a definition that adds to the shared prompt rather than replacing it.
export { renderJobPrompt } from "./steps";
