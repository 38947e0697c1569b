import { createFanOutJob } from "@/lib/ai";
import { pageTextTakes } from "../job-types/takes";

/** Take sets: the generic fan-out, its takes found as the request recorded them. */
export const pageTextTakesFunction = createFanOutJob(pageTextTakes);
