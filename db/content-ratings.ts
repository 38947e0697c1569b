/**
 * Content ratings, lowest first: the order is what matters (a job's rating is the lowest of the story's, the site's
 * maximum and the user's maximum). A leaf file with no imports, so the browser can use the list too.
 */
export const contentRatings = ["general", "teen", "mature", "explicit"] as const;
export type ContentRating = (typeof contentRatings)[number];

/** Where a clamp came from: the site's maximum or the requesting user's own. */
export const ratingClampSources = ["site", "user"] as const;
export type RatingClampSource = (typeof ratingClampSources)[number];

/** SQL list for check constraints, from the same constant. */
export const contentRatingsSql = contentRatings.map((r) => `'${r}'`).join(", ");
