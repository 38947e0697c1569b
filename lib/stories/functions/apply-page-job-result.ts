import { createLandJobResult } from "@/lib/ai/functions/land-job-result";
import { pageJobTypes } from "../job-types";

/** Lands a finished page job in its page (or as a suggestion when the page moved on meanwhile). */
export const applyPageJobResultFunction = createLandJobResult({
  functionId: "apply-page-job-result",
  name: "Apply AI text to its page",
  jobTypes: pageJobTypes,
});
