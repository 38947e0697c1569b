import { z } from "zod";
import { limits } from "../limits";

export const importSplitModes = ["headings", "breaks", "length"] as const;
export type ImportSplitMode = (typeof importSplitModes)[number];

/** How the author wants the manuscript cut into pages (form fields and REST multipart fields alike). */
export const importOptionsSchema = z.object({
  mode: z.enum(importSplitModes).default("headings"),
  targetLength: z.coerce
    .number()
    .int()
    .min(limits.importTargetMin)
    .max(limits.pageMax)
    .default(limits.importTargetDefault),
});
export type ImportOptions = z.output<typeof importOptionsSchema>;

/** The REST multipart body: the file plus the options; `preview=true` answers with the split instead of starting. */
export const importRequestSchema = importOptionsSchema.extend({
  file: z.file().describe("The manuscript: .docx, .md or .txt, at most 10 MB."),
  preview: z
    .enum(["true", "false"])
    .default("false")
    .describe("true: answer 200 with the preview of the split; nothing is created."),
});
