"use client";

import { ArrowLeft, Pencil } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";
import { updateStoryAction } from "@/app/actions/stories";
import { focusRing } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { callAction } from "@/lib/ui/call-action";
import { cn } from "@/lib/ui/cn";
import { pluralize } from "@/lib/ui/format";
import { restoreFocusNextFrame } from "@/lib/ui/restore-focus";
import { storyDescriptionError, storyTitleError } from "@/lib/ui/story-field-errors";
import { InlineEdit, type InlineEditEnd } from "./inline-edit";
import { Select } from "@/components/ui/input";
import {
  type ContentRating,
  contentRatingHints,
  contentRatingLabels,
  contentRatings,
  ratingRank,
} from "@/lib/stories/ratings/labels";
import { languageName } from "@/lib/stories/languages";
import { LanguageSelect } from "./language-select";
import { useStoryPageCount } from "./story-page-count";
import { useStoryRights } from "./story-rights";
import type { RatingLimitData, StoryHeaderData } from "./types";

export function StoryHeader({
  story: serverStory,
  pageCount: serverPageCount,
  ratingLimit,
  modelChoices = [],
}: {
  story: StoryHeaderData;
  pageCount: number;
  ratingLimit: RatingLimitData;
  /** The site's models for prose; a picker appears when there is more than one. */
  modelChoices?: { id: string; name: string }[];
}) {
  const pageCount = useStoryPageCount(serverPageCount);
  const { edit: canEdit } = useStoryRights();
  const router = useRouter();
  const [story, setStory] = useState(serverStory);
  const [seen, setSeen] = useState(serverStory);
  if (seen !== serverStory) {
    setSeen(serverStory);
    setStory(serverStory);
  }
  const [editing, setEditing] = useState<"title" | "description" | null>(null);
  const titleButton = useRef<HTMLButtonElement>(null);
  const descriptionButton = useRef<HTMLButtonElement>(null);
  const languageId = useId();
  const ratingId = useId();
  const [ratingError, setRatingError] = useState<string | null>(null);
  const [ratingPending, setRatingPending] = useState(false);

  async function saveRating(contentRating: ContentRating) {
    const previous = story.contentRating;
    setStory((s) => ({ ...s, contentRating }));
    setRatingError(null);
    setRatingPending(true);
    const error = await save({ contentRating });
    setRatingPending(false);
    if (error) {
      setStory((s) => ({ ...s, contentRating: previous }));
      setRatingError(error);
    }
  }
  const clamped = ratingRank(story.contentRating) > ratingRank(ratingLimit.effectiveMax);
  const modelSelectId = useId();
  const [modelError, setModelError] = useState<string | null>(null);

  async function saveModel(value: string) {
    const previous = story.modelId;
    const modelId = value === "" ? null : value;
    setStory((s) => ({ ...s, modelId }));
    setModelError(null);
    const error = await save({ modelId });
    if (error) {
      setStory((s) => ({ ...s, modelId: previous }));
      setModelError(error);
    }
  }

  const [languageError, setLanguageError] = useState<string | null>(null);
  const [languagePending, setLanguagePending] = useState(false);

  async function saveLanguage(language: string) {
    const previous = story.language;
    setStory((s) => ({ ...s, language }));
    setLanguageError(null);
    setLanguagePending(true);
    const error = await save({ language });
    setLanguagePending(false);
    if (error) {
      setStory((s) => ({ ...s, language: previous }));
      setLanguageError(error);
    }
  }

  async function save(changes: {
    title?: string;
    description?: string;
    language?: string;
    contentRating?: ContentRating;
    modelId?: string | null;
  }): Promise<string | null> {
    const result = await callAction(() => updateStoryAction({ storyId: story.id, ...changes }));
    if (!result.ok) return result.error.message;
    setStory((s) => ({
      ...s,
      title: result.data.title,
      description: result.data.description,
      language: result.data.language,
      contentRating: result.data.contentRating,
      modelId: result.data.modelId,
      updatedAt: new Date(result.data.updatedAt).toISOString(),
    }));
    router.refresh();
    return null;
  }

  function end(which: "title" | "description", how: InlineEditEnd) {
    setEditing(null);
    if (how !== "blur") restoreFocusNextFrame(() => (which === "title" ? titleButton : descriptionButton).current);
  }

  const editable = cn(
    "group -mx-2 w-[calc(100%+1rem)] rounded-lg px-2 text-left transition-colors hover:bg-stone-100 cursor-text",
    focusRing,
  );

  return (
    <header className="space-y-3">
      <Link
        href="/stories"
        className={cn(
          "inline-flex items-center gap-1.5 rounded text-sm text-stone-600 hover:text-stone-900",
          focusRing,
        )}
      >
        <ArrowLeft aria-hidden="true" className="size-4" />
        All stories
      </Link>

      {!canEdit ? (
        <h1 data-testid="story-title" className="py-1 text-3xl font-semibold tracking-tight break-words text-stone-900">
          {story.title}
        </h1>
      ) : editing === "title" ? (
        <InlineEdit
          value={story.title}
          label="Story title"
          testId="story-title-input"
          inputClassName="h-12 text-2xl font-semibold tracking-tight"
          validate={storyTitleError}
          onSave={(title) => save({ title })}
          onEnd={(how) => end("title", how)}
        />
      ) : (
        <h1 className="text-3xl font-semibold tracking-tight text-stone-900">
          <button
            ref={titleButton}
            type="button"
            data-testid="story-title"
            aria-label={`Story title: ${story.title}. Edit`}
            title="Click to edit the title"
            onClick={() => setEditing("title")}
            className={cn(editable, "relative py-1 pr-10 break-words")}
          >
            {story.title}
            <Pencil
              aria-hidden="true"
              className="absolute top-1/2 right-2 size-5 -translate-y-1/2 text-stone-300 opacity-0 transition-opacity group-hover:opacity-100 group-focus-visible:opacity-100"
            />
          </button>
        </h1>
      )}

      {!canEdit ? (
        story.description ? (
          <p
            data-testid="story-description"
            className="py-1 text-base leading-relaxed whitespace-pre-wrap text-stone-600"
          >
            {story.description}
          </p>
        ) : null
      ) : editing === "description" ? (
        <InlineEdit
          value={story.description}
          label="Story description"
          testId="story-description-input"
          multiline
          placeholder="What is this story about?"
          validate={storyDescriptionError}
          onSave={(description) => save({ description })}
          onEnd={(how) => end("description", how)}
        />
      ) : (
        <button
          ref={descriptionButton}
          type="button"
          data-testid="story-description"
          aria-label={story.description ? `Description: ${story.description}. Edit` : "Add a description"}
          title="Click to edit the description"
          onClick={() => setEditing("description")}
          className={cn(
            editable,
            "block py-1 text-base leading-relaxed whitespace-pre-wrap text-stone-600",
            "empty:before:text-stone-500 empty:before:italic empty:before:content-['Add_a_description…']",
          )}
        >
          {story.description}
        </button>
      )}

      <p className="flex flex-wrap items-center gap-x-2 text-sm text-stone-500">
        <span data-testid="story-page-total">{pluralize(pageCount, "page")}</span>
        <span aria-hidden="true">·</span>
        <RelativeTime date={story.updatedAt} prefix="Edited" />
        <span aria-hidden="true">·</span>
        {canEdit ? (
          <>
            <label htmlFor={languageId} className="sr-only">
              Story language
            </label>
            <LanguageSelect
              id={languageId}
              data-testid="story-language"
              value={story.language}
              onChange={(e) => saveLanguage(e.target.value)}
              aria-busy={languagePending || undefined}
              aria-describedby={languageError ? `${languageId}-error` : undefined}
              invalid={Boolean(languageError)}
              className="h-8 w-auto border-transparent bg-transparent px-1.5 text-sm text-stone-600 hover:border-stone-300"
            />
            <span aria-hidden="true">·</span>
            <label htmlFor={ratingId} className="sr-only">
              Content rating
            </label>
            <Select
              id={ratingId}
              data-testid="story-rating"
              value={story.contentRating}
              onChange={(e) => saveRating(e.target.value as ContentRating)}
              aria-busy={ratingPending || undefined}
              aria-describedby={cn(ratingError && `${ratingId}-error`, clamped && `${ratingId}-clamp`) || undefined}
              invalid={Boolean(ratingError)}
              title={contentRatingHints[story.contentRating]}
              className="h-8 w-auto border-transparent bg-transparent px-1.5 text-sm text-stone-600 hover:border-stone-300"
            >
              {contentRatings.map((rating) => (
                <option key={rating} value={rating}>
                  Rated {contentRatingLabels[rating]}
                </option>
              ))}
            </Select>
          </>
        ) : (
          <>
            <span data-testid="story-language">{languageName(story.language)}</span>
            <span aria-hidden="true">·</span>
            <span data-testid="story-rating" title={contentRatingHints[story.contentRating]}>
              Rated {contentRatingLabels[story.contentRating]}
            </span>
          </>
        )}
      </p>
      {canEdit && modelChoices.length > 1 ? (
        <p className="flex items-center gap-2 text-sm text-stone-700">
          <label htmlFor={modelSelectId}>AI model</label>
          <select
            id={modelSelectId}
            data-testid="story-model"
            value={story.modelId ?? ""}
            onChange={(e) => saveModel(e.target.value)}
            aria-describedby={modelError ? `${modelSelectId}-error` : undefined}
            className={cn("h-8 rounded-md border border-stone-300 bg-white px-1.5 text-sm text-stone-800", focusRing)}
          >
            <option value="">Site default</option>
            {modelChoices.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </p>
      ) : null}
      {modelError ? (
        <p id={`${modelSelectId}-error`} role="alert" className="text-sm text-red-700" data-testid="story-model-error">
          {modelError}
        </p>
      ) : null}
      {languageError ? (
        <p id={`${languageId}-error`} role="alert" className="text-sm text-red-700" data-testid="story-language-error">
          {languageError}
        </p>
      ) : null}
      {ratingError ? (
        <p id={`${ratingId}-error`} role="alert" className="text-sm text-red-700" data-testid="story-rating-error">
          {ratingError}
        </p>
      ) : null}
      {canEdit && clamped ? (
        <p id={`${ratingId}-clamp`} className="text-sm text-amber-800" data-testid="story-rating-clamp">
          The AI will write no further than {contentRatingLabels[ratingLimit.effectiveMax]} here:{" "}
          {ratingLimit.setBy === "user" ? "your account's maximum" : "this site's maximum"}.
        </p>
      ) : null}
    </header>
  );
}
