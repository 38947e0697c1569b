/*
 * Texts the page shows about its summary. Pure (no database imports) so that client components can use them.
 */

export type SummaryNotRefreshedReason = "budget";

/** Why a missing or stale summary is not being refreshed, as the page says it. */
export const NOT_REFRESHED_MESSAGES: Record<SummaryNotRefreshedReason, string> = {
  budget: "AI budget used up — summary not refreshed",
};
