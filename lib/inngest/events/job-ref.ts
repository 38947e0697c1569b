import { z } from "zod";

/**
 * What every job event names: the job (its row in the ledger holds everything else), its type, its generic target
 * and its fan-out parent. `parentJobId` is always present (null for a top-level job), so no handler has to look it up.
 */
export const jobRefSchema = z.object({
  jobId: z.uuid(),
  jobType: z.string().min(1),
  targetType: z.string().min(1),
  targetId: z.string().min(1),
  parentJobId: z.uuid().nullable(),
});
export type JobRef = z.infer<typeof jobRefSchema>;
