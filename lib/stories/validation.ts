import { z } from "zod";
import { AppError } from "@/lib/errors";
import { contentRatings } from "@/db/content-ratings";
import { DEFAULT_LANGUAGE } from "./languages";
import { limits } from "./limits";

/** An id field: every id a request names is a UUID, refused with the same message. */
export const idField = z.uuid({ message: "Not a valid id." });
const id = idField;

/** A page version a request starts from: PostgreSQL's integer, so a larger number is refused here, not by the database. */
export const versionField = z
  .number()
  .int()
  .min(1, "A version starts at 1.")
  .max(2_147_483_647, "Not a valid version.");

const titleSchema = z
  .string()
  .trim()
  .min(1, "A title is required.")
  .max(limits.titleMax, `A title can be at most ${limits.titleMax} characters.`);

const storyRatingSchema = z.enum(contentRatings, {
  error: () => `Choose a content rating: ${contentRatings.join(", ")}.`,
});

const LANGUAGE_TAG_MESSAGE = "Use a language tag such as en or pt-BR.";

/** A BCP-47 tag in its canonical case ("pt-br" → "pt-BR"), in the shape the database's check accepts. */
const languageTagSchema = z
  .string()
  .trim()
  .transform((tag, ctx) => {
    let canonical: string | undefined;
    try {
      canonical = Intl.getCanonicalLocales(tag)[0];
    } catch {
      canonical = undefined;
    }
    if (!canonical || !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(canonical)) {
      ctx.addIssue({ code: "custom", message: LANGUAGE_TAG_MESSAGE });
      return z.NEVER;
    }
    return canonical;
  });

export const storyCreateSchema = z.object({
  title: titleSchema,
  description: z
    .string()
    .max(limits.descriptionMax, `A description can be at most ${limits.descriptionMax} characters.`)
    .default(""),
  language: languageTagSchema.default(DEFAULT_LANGUAGE),
  contentRating: storyRatingSchema.default("general"),
});

export const storyUpdateSchema = z.object({
  storyId: id,
  title: titleSchema.optional(),
  description: z
    .string()
    .max(limits.descriptionMax, `A description can be at most ${limits.descriptionMax} characters.`)
    .optional(),
  language: languageTagSchema.optional(),
  contentRating: storyRatingSchema.optional(),
  /** A model registry id among the story's choices (checked against the registry by updateStory); null = default. */
  modelId: z.string().min(1).max(100).nullable().optional(),
});

export const storyIdSchema = z.object({ storyId: id });
export const pageIdSchema = z.object({ pageId: id });
export const jobIdSchema = z.object({ jobId: id });

export const pageAddSchema = z.object({
  storyId: id,
  /** Insert after this page; omitted (and no beforePageId) means at the end. */
  afterPageId: id.nullish(),
  /**
   * Insert before this page (the REST API's way to add a first page); not together with afterPageId (addPage refuses
   * both: a refinement here would stop the API from deriving its body with `.omit`).
   */
  beforePageId: id.nullish(),
  /** Length is checked by assertPageLength (LIMIT_EXCEEDED), as for savePage: not here, where it would be VALIDATION. */
  content: z.string().default(""),
});

export const pageSaveSchema = z.object({
  pageId: id,
  content: z.string(),
  baseVersion: versionField,
  /** Save even while the page's own Generate writes it; the AI's text then waits as a suggestion. */
  saveWhileAiWrites: z.boolean().optional(),
});

export const pageMoveSchema = z.object({
  pageId: id,
  direction: z.enum(["up", "down"]),
});

/** Moves a page anywhere in one step: right after another page of the story, or to the front (`afterPageId: null`). */
export const pageMoveToSchema = z.object({
  pageId: id,
  afterPageId: id.nullable(),
});

export const revisionRestoreSchema = z.object({
  pageId: id,
  revisionId: id,
  baseVersion: versionField,
});

/**
 * The path of the first string in the input that holds a NUL character, which PostgreSQL cannot store in text: such
 * input is refused as invalid, naming the field, instead of failing later in the database.
 */
function nulCharacterPath(value: unknown, path: string[] = []): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path.join(".") || "input" : null;
  if (value === null || typeof value !== "object") return null;
  for (const [key, child] of Object.entries(value)) {
    const found = nulCharacterPath(child, [...path, key]);
    if (found !== null) return found;
  }
  return null;
}

/** Parses input at the boundary; a failure becomes a VALIDATION error that names each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const nulAt = nulCharacterPath(input);
  if (nulAt !== null) {
    const message = "Text cannot contain NUL characters (\\0).";
    throw new AppError("VALIDATION", message, { fields: { [nulAt]: message } });
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join(".") || "input";
    fields[key] ??= issue.message;
  }
  const first = Object.values(fields)[0];
  throw new AppError("VALIDATION", first ?? undefined, { fields });
}

/** Page text longer than the limit is refused before anything is written. */
export function assertPageLength(content: string): void {
  if (content.length > limits.pageMax) {
    throw new AppError(
      "LIMIT_EXCEEDED",
      `A page can be at most ${limits.pageMax.toLocaleString("en-US")} characters; this text has ${content.length.toLocaleString("en-US")}. Nothing was saved.`,
      { limit: limits.pageMax, length: content.length },
    );
  }
}
