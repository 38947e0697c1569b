"use client";

import { type FormEvent, useId, useState } from "react";
import { setMyMaxRatingAction, setSiteMaxRatingAction, setUserMaxRatingAction } from "@/app/actions/ratings";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/input";
import {
  type ContentRating,
  contentRatingHints,
  contentRatingLabels,
  contentRatings,
} from "@/lib/stories/ratings/labels";
import { callAction } from "@/lib/ui/call-action";

/**
 * A content-rating maximum with its Save button: the site's (no blank choice), a user's or one's own (blank = the
 * maximum above it). One form for the three places, so they read and behave the same.
 */
export function RatingMaxForm({
  label,
  initial,
  blankLabel,
  testId,
  target,
}: {
  label: string;
  initial: ContentRating | null;
  /** Offered as the empty choice when the maximum may be cleared; omitted, a rating must be chosen. */
  blankLabel?: string;
  testId: string;
  /** Whose maximum: one's own, a user's (admins) or the site's (admins). */
  target: { kind: "me" } | { kind: "site" } | { kind: "user"; userId: string };
}) {
  const id = useId();
  const [stored, setStored] = useState(initial);
  const [value, setValue] = useState<string>(initial ?? "");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    setSaved(false);
    const next = value === "" ? null : (value as ContentRating);
    const result = await callAction((): Promise<ActionResult<unknown>> => {
      if (target.kind === "me") return setMyMaxRatingAction({ maxContentRating: next });
      if (target.kind === "user") return setUserMaxRatingAction({ userId: target.userId, maxContentRating: next });
      return setSiteMaxRatingAction({ maxContentRating: next });
    });
    setPending(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setStored(next);
    setSaved(true);
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-2" data-testid={testId}>
      <div>
        <label htmlFor={id} className="block text-xs text-stone-700">
          {label}
        </label>
        <Select
          id={id}
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            setSaved(false);
          }}
          aria-describedby={error ? `${id}-error` : undefined}
          invalid={Boolean(error)}
          data-testid={`${testId}-select`}
          className="h-9 w-auto"
        >
          {blankLabel !== undefined ? <option value="">{blankLabel}</option> : null}
          {contentRatings.map((rating) => (
            <option key={rating} value={rating} title={contentRatingHints[rating]}>
              {contentRatingLabels[rating]}
            </option>
          ))}
        </Select>
      </div>
      <Button type="submit" size="sm" disabled={pending || value === (stored ?? "")} data-testid={`${testId}-save`}>
        Save
      </Button>
      {saved ? (
        <span role="status" className="text-xs text-emerald-800" data-testid={`${testId}-saved`}>
          Saved
        </span>
      ) : null}
      {error ? (
        <p id={`${id}-error`} role="alert" className="w-full text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </form>
  );
}
