import { z } from "zod";

export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

const days = z.coerce.number().positive().max(36_500);

/**
 * INNGEST_EMBEDDED_RETENTION_DAYS: how long the embedded engine keeps finished runs (default 30 days); "0" or "off"
 * keeps everything. Fractions are allowed (0.5 = 12 hours; events are kept 24 hours at least whatever this says).
 * A value that is not a number is reported and the default used, so a typo never turns retention off silently.
 */
export function retentionMsFromEnv(env: Record<string, string | undefined> = process.env): {
  retentionMs: number;
  problem?: string;
} {
  const raw = env.INNGEST_EMBEDDED_RETENTION_DAYS?.trim().toLowerCase();
  if (!raw) return { retentionMs: DEFAULT_RETENTION_DAYS * DAY_MS };
  if (raw === "0" || raw === "off" || raw === "false") return { retentionMs: 0 };
  const parsed = days.safeParse(raw);
  if (parsed.success) return { retentionMs: Math.round(parsed.data * DAY_MS) };
  return {
    retentionMs: DEFAULT_RETENTION_DAYS * DAY_MS,
    problem: `INNGEST_EMBEDDED_RETENTION_DAYS=${raw} is not a number of days; keeping ${DEFAULT_RETENTION_DAYS} days`,
  };
}
