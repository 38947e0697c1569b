import { z } from "zod";
import { aiJobStatuses } from "@/db/ai-schema";
import { translateStorySchema } from "@/lib/stories/translations/request";
import { apiRegistry } from "./api-schemas";

/*
 * REST schemas of translations (Translate story, the story's translations, Update translation): requests are the
 * domain's own zod schemas, answers state the domain's views field for field (lib/stories/translations/view.ts).
 */

function named<S extends z.ZodType>(id: string, schema: S): S {
  apiRegistry.add(schema, { id });
  return schema;
}
function doc<S extends z.ZodType>(description: string, schema: S): S {
  apiRegistry.add(schema, { description });
  return schema;
}

const pageRef = z.object({ pageId: z.uuid(), pageNumber: z.int().nullable() });

const translationRunSchema = named(
  "TranslationRun",
  z.object({
    id: z.uuid(),
    status: z.enum(aiJobStatuses),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    total: doc("Pages being translated (n of m: `done` of `total`).", z.int()),
    done: z.int(),
    succeeded: z.int(),
    failed: z.int(),
    cancelled: z.int(),
    active: z.int(),
    failures: z.array(pageRef.extend({ message: z.string() })),
    skipped: z.array(pageRef.extend({ reason: z.string(), message: z.string() })),
  }),
);

const translationSchema = named(
  "Translation",
  z.object({
    storyId: doc("The translation's own story id ({id} of the translation endpoints).", z.uuid()),
    sourceStoryId: z.uuid(),
    title: z.string(),
    language: z.string(),
    languageName: z.string(),
    pageCount: z.int(),
    stalePages: doc("Pages whose source page changed since they were translated.", z.int()),
    openSuggestions: doc("New translations of hand-edited pages waiting for review.", z.int()),
    run: translationRunSchema.nullable(),
  }),
);

/** The body of Translate story: the story comes from the path. */
export const translateRequestSchema = named("TranslateRequest", translateStorySchema.omit({ storyId: true }));

export const translationOutcomeSchema = named(
  "TranslationOutcome",
  z.object({
    translation: translationSchema,
    started: doc("False when a run already going was joined, or nothing was stale.", z.boolean()),
    message: z.string(),
  }),
);

export const storyTranslationsSchema = named(
  "StoryTranslations",
  z.object({
    source: z
      .object({ storyId: z.uuid(), title: z.string(), language: z.string(), languageName: z.string() })
      .nullable(),
    translation: translationSchema.nullable(),
    translations: z.array(translationSchema),
    glossary: doc(
      "On a translation: the source's codex names, each with its name in this language (empty: kept as it is), and " +
        "whether the caller may set them (edit on the source).",
      z
        .object({
          entries: z.array(
            z.object({ entryId: z.uuid(), name: z.string(), aliases: z.string(), translated: z.string() }),
          ),
          canEdit: z.boolean(),
        })
        .nullable(),
    ),
  }),
);

export const translationIdParamsSchema = z.object({ translationId: z.uuid({ message: "Not a valid id." }) });
