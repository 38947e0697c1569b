import { InvalidCursorError } from "@/lib/ai";
import { AppError } from "@/lib/errors";

/**
 * Runs a read of the job history and turns a cursor the ledger cannot decode (stale, edited, forged) into a
 * VALIDATION error on the parameter that carried it. Each surface words the message for its readers (a page link
 * for the admin pages, nextCursor/prevCursor for the REST API).
 */
export async function withValidCursor<T>(
  read: () => Promise<T>,
  refusal: { message: string; field: string; fieldMessage: string },
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new AppError("VALIDATION", refusal.message, { fields: { [refusal.field]: refusal.fieldMessage } });
    }
    throw error;
  }
}
