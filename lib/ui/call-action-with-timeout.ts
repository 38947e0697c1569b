import type { ActionResult } from "@/lib/action-result";
import { callAction } from "./call-action";

/** How long a generation request or a cancel may take before the author is told to try again. */
const ACTION_TIMEOUT_MS = 30_000;

/**
 * `callAction`, but a request that has not answered after `ms` resolves to an error instead: a hung request must not
 * leave a spinner forever. The request itself is not aborted (a server action cannot be), so its effect may still
 * happen; the message says so, and the page's job stream shows it if it does.
 */
export function callActionWithTimeout<T>(
  run: () => Promise<ActionResult<T>>,
  ms = ACTION_TIMEOUT_MS,
): Promise<ActionResult<T>> {
  return new Promise((resolve) => {
    const timer = window.setTimeout(
      () =>
        resolve({
          ok: false,
          error: {
            code: "INTERNAL",
            message:
              "The server did not answer in time. Please try again — if the AI did start, the page will show it.",
          },
        }),
      ms,
    );
    void callAction(run).then((result) => {
      window.clearTimeout(timer);
      resolve(result);
    });
  });
}
