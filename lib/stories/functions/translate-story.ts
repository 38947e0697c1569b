import { createFanOutJob } from "@/lib/ai";
import { translateStoryPages } from "../job-types/translate";

/** Translations: the generic fan-out, with the pages' translation jobs planned by the domain. */
export const translateStoryFunction = createFanOutJob(translateStoryPages);
