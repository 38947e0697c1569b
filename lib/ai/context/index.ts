export {
  assembleContext,
  type AssembledContext,
  type AssemblyInput,
  type BreakdownKind,
  type BreakdownSection,
  type ContextBreakdown,
  type ContextPart,
  type ContextPartKind,
  type ContextSectionInput,
  type LeftOutItem,
  type MemoryActivation,
  type MemoryEntryInput,
  type MemoryPart,
  type StoredRollupInput,
} from "./assemble";
export {
  ROLLUP_BASE_PAGES,
  rollupBlocks,
  rollupFingerprints,
  rollupKey,
  rollupTargetId,
  type RollupBlock,
  type RollupChildInput,
} from "./rollups";
export { ESTIMATE_FACTOR, scaleTokens, tokenCountingFor, tokensOf, type TokenCounting } from "./counting";
export {
  buildDocumentPrompt,
  buildSectionMemory,
  type DocumentPromptPayload,
  type SectionMemory,
} from "./document-prompt";
export { ContextBudgetError } from "./errors";
export {
  createMentionMatcher,
  normalizeNameKey,
  type Mention,
  type MentionCandidate,
  type MentionMatcher,
} from "./mentions";
