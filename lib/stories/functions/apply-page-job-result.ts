import { createLandJobResult, type ModelJobType } from "@/lib/ai";
import { storyJobTypes } from "../job-types";

// Every model job type of stories lands here, so a type added to the list can never succeed without landing.
const modelJobTypes = storyJobTypes.filter((definition): definition is ModelJobType => definition.kind === "model");

/**
 * Lands a finished job of stories through its type's `land` (a page's text: a revision, or a suggestion; a page's
 * summary: stored, or discarded when the page changed meanwhile or the author pinned their own).
 */
export const applyPageJobResultFunction = createLandJobResult({
  functionId: "apply-page-job-result",
  name: "Apply AI text to its page",
  jobTypes: modelJobTypes,
});
