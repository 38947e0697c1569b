import { z } from "zod";
import { storyIdSchema } from "../validation";

export const exportFormats = ["md", "txt", "docx", "epub"] as const;
export type ExportFormat = (typeof exportFormats)[number];

const flag = (name: string, fallback: "true" | "false") =>
  z
    .enum(["true", "false", "1", "0"], { error: `${name} is true or false.` })
    .default(fallback)
    .transform((v) => v === "true" || v === "1");

/** How a download is asked for, in a query string (`?format=epub&toc=chapters&codex=true&illustrations=false`). */
export const exportQuerySchema = z.object({
  format: z.enum(exportFormats, { error: "Choose a format: md, txt, docx or epub." }),
  toc: z.enum(["pages", "chapters"], { error: "The table of contents is by pages or by chapters." }).default("pages"),
  codex: flag("codex", "false"),
  /**
   * Each page's chosen illustration (on by default; a story without any exports as before). Markdown with
   * illustrations is a zip: the .md file and an images/ folder it links to.
   */
  illustrations: flag("illustrations", "true"),
});

export const exportStorySchema = exportQuerySchema.extend(storyIdSchema.shape);
