import { CronExpressionParser } from "cron-parser";

/**
 * Next firing time of a cron trigger strictly after `after`. Inngest crons may start with "TZ=Area/City "
 * (or "CRON_TZ="); five fields are minutes-first, six fields add seconds in front.
 */
export function nextCronTime(cron: string, after: Date): Date {
  const match = /^(?:CRON_)?TZ=(\S+)\s+(.+)$/.exec(cron.trim());
  const tz = match?.[1];
  const expression = match ? match[2]! : cron.trim();
  const parsed = CronExpressionParser.parse(expression, { currentDate: after, ...(tz ? { tz } : {}) });
  return parsed.next().toDate();
}

/** Throws with a readable message when the cron string cannot be scheduled. */
export function validateCron(cron: string): void {
  try {
    nextCronTime(cron, new Date());
  } catch (error) {
    throw new Error(`Invalid cron "${cron}": ${error instanceof Error ? error.message : String(error)}`);
  }
}
