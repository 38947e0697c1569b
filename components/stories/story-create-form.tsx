"use client";

import { Plus } from "lucide-react";
import { useRef, useState, type FormEvent } from "react";
import { createStoryAction } from "@/app/actions/stories";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { DEFAULT_LANGUAGE } from "@/lib/stories/languages";
import { callAction, fieldErrors } from "@/lib/ui/call-action";
import { storyDescriptionError, storyTitleError } from "@/lib/ui/story-field-errors";
import { LanguageSelect } from "./language-select";
import type { StoryRowData } from "./types";

export function StoryCreateForm({ onCreated }: { onCreated: (story: StoryRowData) => void }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [language, setLanguage] = useState(DEFAULT_LANGUAGE);
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const titleRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const local: Record<string, string> = {};
    const titleError = storyTitleError(title);
    if (titleError) local.title = titleError;
    const descriptionError = storyDescriptionError(description);
    if (descriptionError) local.description = descriptionError;
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length > 0) {
      titleRef.current?.focus();
      return;
    }
    setPending(true);
    const result = await callAction(() => createStoryAction({ title, description, language }));
    setPending(false);
    if (!result.ok) {
      const fields = fieldErrors(result.error.details);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setFormError(result.error.message);
      return;
    }
    const story = result.data;
    onCreated({
      id: story.id,
      title: story.title,
      description: story.description,
      ownerName: "",
      role: "owner",
      pageCount: 0,
      updatedAt: new Date(story.updatedAt).toISOString(),
    });
    setTitle("");
    setDescription("");
    setLanguage(DEFAULT_LANGUAGE);
    titleRef.current?.focus();
  }

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label="Create a story"
      className="rounded-2xl border border-stone-200 bg-white p-5 shadow-sm"
    >
      <h2 className="text-base font-semibold text-stone-900">New story</h2>
      <div className="mt-4 grid gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)]">
        <Field label="Title" error={errors.title}>
          {(control) => (
            <Input
              {...control}
              ref={titleRef}
              data-testid="story-create-title"
              name="title"
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              placeholder="The Keeper of Gull Point"
              autoComplete="off"
              required
              readOnly={pending}
            />
          )}
        </Field>
        <Field label="Description" optional error={errors.description}>
          {(control) => (
            <Textarea
              {...control}
              data-testid="story-create-description"
              name="description"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              placeholder="What is it about? The AI reads this too."
              rows={1}
              className="field-sizing-content min-h-10"
              readOnly={pending}
            />
          )}
        </Field>
        <Field
          label="Language"
          hint="The AI writes in it."
          error={errors.language}
          className="sm:col-span-2 sm:max-w-xs"
        >
          {(control) => (
            <LanguageSelect
              {...control}
              data-testid="story-create-language"
              name="language"
              value={language}
              onChange={(e) => setLanguage(e.target.value)}
              disabled={pending}
            />
          )}
        </Field>
      </div>
      {formError ? (
        <Alert tone="error" className="mt-4">
          {formError}
        </Alert>
      ) : null}
      <div className="mt-4 flex justify-end">
        <Button
          data-testid="story-create-submit"
          type="submit"
          variant="primary"
          pending={pending}
          icon={<Plus aria-hidden="true" className="size-4" />}
        >
          {pending ? "Creating…" : "Create story"}
        </Button>
      </div>
    </form>
  );
}
