/** Limits are also enforced by check constraints in db/schema.ts; keep the two in step. */
export const limits = {
  titleMax: 200,
  descriptionMax: 5000,
  pageMax: 100_000,
} as const;
