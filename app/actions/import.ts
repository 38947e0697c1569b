"use server";

import type { ActionResult } from "@/lib/action-result";
import { getImport, type ImportJobView } from "@/lib/stories";
import { runAction } from "./run";

/** The import's progress for the stories page (the upload itself goes to POST /api/stories/import: it is too large for an action). */
export async function getImportAction(input: unknown): Promise<ActionResult<ImportJobView>> {
  return runAction("getImport", (actor) => getImport(actor, input));
}
