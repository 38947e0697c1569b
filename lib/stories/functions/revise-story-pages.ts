import { createFanOutJob } from "@/lib/ai";
import { reviseStoryPages } from "../job-types/revise-pages";

/** Background revisions: the generic fan-out, with the pages' revise jobs planned by the domain. */
export const reviseStoryPagesFunction = createFanOutJob(reviseStoryPages);
