import { type ContentRating, contentRatings } from "@/db/content-ratings";

/**
 * Content ratings as people read them, and the constraint a job's prompt carries. Client-safe (no server imports):
 * the story header and the settings take their labels from here.
 */
export { contentRatings, type ContentRating };

export const contentRatingLabels: Record<ContentRating, string> = {
  general: "General",
  teen: "Teen",
  mature: "Mature",
  explicit: "Explicit",
};

export const contentRatingHints: Record<ContentRating, string> = {
  general: "Suitable for all ages: no graphic violence, no sexual content, no strong language.",
  teen: "Mild violence and language, romance without sexual detail.",
  mature: "Strong violence, strong language and sexual themes, without explicit detail.",
  explicit: "Adult content without restriction.",
};

/** The line a job's prompt carries (the model is told the limit, not asked to guess it). */
export const contentRatingConstraints: Record<ContentRating, string> = {
  general:
    "Content rating General: keep the text suitable for all ages — no graphic violence, no sexual content, no strong language.",
  teen: "Content rating Teen: mild violence and language at most; romance without sexual detail.",
  mature:
    "Content rating Mature: strong violence, strong language and sexual themes are allowed, without explicit sexual detail.",
  explicit: "Content rating Explicit: adult content is allowed where the story calls for it.",
};

export function ratingRank(rating: ContentRating): number {
  return contentRatings.indexOf(rating);
}

export function lowestRating(first: ContentRating, ...others: ContentRating[]): ContentRating {
  return others.reduce((lowest, r) => (ratingRank(r) < ratingRank(lowest) ? r : lowest), first);
}
