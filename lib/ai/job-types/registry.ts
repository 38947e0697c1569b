import type { FanOutJobType, JobTypeDefinition, ModelJobType } from "./definition";
import { jobTypeKinds } from "./kinds";

export interface JobTypeRegistry {
  readonly definitions: readonly JobTypeDefinition[];
  model(type: string): ModelJobType | undefined;
  fanOut(type: string): FanOutJobType | undefined;
}

/**
 * The job types the app runs, each defined once on its domain's side and listed here by the app
 * (lib/stories/functions/index.ts). Fails at start-up, not mid-job, on a type defined twice or of the wrong kind.
 */
export function createJobTypeRegistry(definitions: readonly JobTypeDefinition[]): JobTypeRegistry {
  const byType = new Map<string, JobTypeDefinition>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) throw new Error(`job type ${definition.type} is defined twice`);
    if (jobTypeKinds[definition.type] !== definition.kind)
      throw new Error(`job type ${definition.type} is a ${jobTypeKinds[definition.type]} job, not ${definition.kind}`);
    byType.set(definition.type, definition);
  }
  return {
    definitions,
    model: (type) => {
      const definition = byType.get(type);
      return definition?.kind === "model" ? definition : undefined;
    },
    fanOut: (type) => {
      const definition = byType.get(type);
      return definition?.kind === "fan-out" ? definition : undefined;
    },
  };
}
