import type { JobTypeDefinition } from "@/lib/ai";
import { pageTextRevise, pageTextWrite } from "./page-text";
import { reviseStoryPages } from "./revise-pages";

/** The job types of stories (lib/ai/job-types explains how to add one): listed once, composed by the app. */
export const storyJobTypes: readonly JobTypeDefinition[] = [pageTextWrite, pageTextRevise, reviseStoryPages];

/** The job types whose results land on a page (lib/stories/functions/apply-page-job-result.ts). */
export const pageJobTypes = [pageTextWrite, pageTextRevise] as const;

export { pageTextRevise, pageTextWrite, reviseStoryPages };
