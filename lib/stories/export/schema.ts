import { z } from "zod";
import { storyIdSchema } from "../validation";

export const exportFormats = ["md", "txt", "docx", "epub"] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** How a download is asked for, in a query string (`?format=epub&toc=chapters&codex=true`). */
export const exportQuerySchema = z.object({
  format: z.enum(exportFormats, { error: "Choose a format: md, txt, docx or epub." }),
  toc: z.enum(["pages", "chapters"], { error: "The table of contents is by pages or by chapters." }).default("pages"),
  codex: z
    .enum(["true", "false", "1", "0"], { error: "codex is true or false." })
    .default("false")
    .transform((v) => v === "true" || v === "1"),
});

export const exportStorySchema = exportQuerySchema.extend(storyIdSchema.shape);
