import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import { getDb } from "@/db";
import { type ContentRating, contentRatings, type RatingClampSource } from "@/db/content-ratings";
import { siteSettings, users } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { requireAdmin } from "../access";
import { requireActor, type Actor } from "../actor";
import { idField, parseInput } from "../validation";
import { contentRatingConstraints, contentRatingLabels, lowestRating, ratingRank } from "./labels";

/**
 * Content-rating policy: a job is held to the lowest of the story's rating, the site's maximum (an admin setting)
 * and the requesting user's own maximum. The job records the rating it was held to, the story's, and which maximum
 * clamped it, so admins see every clamp; the prompt carries the rating as a constraint.
 */

const contentRatingSchema = z.enum(contentRatings, {
  error: () => `Choose a content rating: ${contentRatings.join(", ")}.`,
});

export interface RatingDecision {
  /** What the job is held to. */
  contentRating: ContentRating;
  /** The story's rating, what was asked for. */
  requestedRating: ContentRating;
  /** Which maximum lowered it; null when the story's rating was allowed. */
  ratingClampedBy: RatingClampSource | null;
}

export async function siteMaxRating(db: Db): Promise<ContentRating> {
  const [row] = await db.select({ max: siteSettings.maxContentRating }).from(siteSettings).limit(1);
  return row?.max ?? "explicit";
}

interface UserMaxima {
  /** Set by an admin. */
  admin: ContentRating | null;
  /** Set by the user. */
  own: ContentRating | null;
}

async function userMaxima(db: Db, userId: string): Promise<UserMaxima> {
  const [row] = await db
    .select({ admin: users.maxContentRating, own: users.ownMaxContentRating })
    .from(users)
    .where(eq(users.id, userId));
  return { admin: row?.admin ?? null, own: row?.own ?? null };
}

/** The user's binding maximum: the lower of the admin's and their own. */
function userMax(maxima: UserMaxima): ContentRating | null {
  const set = [maxima.admin, maxima.own].filter((r): r is ContentRating => r !== null);
  return set.length ? lowestRating(set[0]!, ...set.slice(1)) : null;
}

/** The pure rule, given the three ratings. Site first: when both maxima clamp equally, the site's rule is the reason. */
export function decideRating(
  story: ContentRating,
  siteMax: ContentRating,
  userMax: ContentRating | null,
): RatingDecision {
  const contentRating = lowestRating(story, siteMax, ...(userMax ? [userMax] : []));
  let ratingClampedBy: RatingClampSource | null = null;
  if (ratingRank(contentRating) < ratingRank(story)) {
    ratingClampedBy = contentRating === siteMax ? "site" : "user";
  }
  return { contentRating, requestedRating: story, ratingClampedBy };
}

/** The rating a job of `requesterId` on this story is held to (two small reads; a job is requested far less often). */
export async function ratingForJob(
  db: Db,
  story: { contentRating: ContentRating },
  requesterId: string | null,
): Promise<RatingDecision> {
  const [siteMax, maxima] = await Promise.all([
    siteMaxRating(db),
    requesterId ? userMaxima(db, requesterId) : Promise.resolve({ admin: null, own: null }),
  ]);
  return decideRating(story.contentRating, siteMax, userMax(maxima));
}

/** The constraint lines a page prompt carries for this decision. */
export function ratingConstraints(decision: RatingDecision): string[] {
  return [contentRatingConstraints[decision.contentRating]];
}

export interface MyRatingLimits {
  siteMax: ContentRating;
  /** Set by an admin for this user. */
  adminMax: ContentRating | null;
  /** The user's own choice. */
  ownMax: ContentRating | null;
  /** Which limit is the binding one. */
  setBy: "site" | "user";
  /** The highest rating this user's jobs can have. */
  effectiveMax: ContentRating;
}

/** What the signed-in user may reach: shown next to the story's rating so a clamp is never a surprise. */
export async function getMyRatingLimits(actorOrNull: Actor | null): Promise<MyRatingLimits> {
  const actor = requireActor(actorOrNull);
  const db = await getDb();
  const [siteMax, maxima] = await Promise.all([siteMaxRating(db), userMaxima(db, actor.id)]);
  const mine = userMax(maxima);
  const effectiveMax = lowestRating(siteMax, ...(mine ? [mine] : []));
  return {
    siteMax,
    adminMax: maxima.admin,
    ownMax: maxima.own,
    setBy: effectiveMax === siteMax ? "site" : "user",
    effectiveMax,
  };
}

const myMaxSchema = z.object({ maxContentRating: contentRatingSchema.nullable() });

/** A user sets (or clears) their own maximum; it can only lower what the site and an admin allow. */
export async function setMyMaxRating(actorOrNull: Actor | null, input: unknown): Promise<MyRatingLimits> {
  const actor = requireActor(actorOrNull);
  const { maxContentRating } = parseInput(myMaxSchema, input);
  const db = await getDb();
  await db
    .update(users)
    .set({ ownMaxContentRating: maxContentRating, updatedAt: new Date() })
    .where(eq(users.id, actor.id));
  return getMyRatingLimits(actor);
}

const userMaxSchema = z.object({ userId: idField, maxContentRating: contentRatingSchema.nullable() });

/** An admin sets a user's maximum (NOT_FOUND for anyone else, and for an unknown user). */
export async function setUserMaxRating(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<{ userId: string; maxContentRating: ContentRating | null }> {
  requireAdmin(actorOrNull);
  const { userId, maxContentRating } = parseInput(userMaxSchema, input);
  const db = await getDb();
  const [row] = await db
    .update(users)
    .set({ maxContentRating, updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning({ id: users.id, max: users.maxContentRating });
  if (!row) throw new AppError("NOT_FOUND", "That user does not exist.");
  return { userId: row.id, maxContentRating: row.max };
}

const siteMaxSchema = z.object({ maxContentRating: contentRatingSchema });

/** An admin sets the site's maximum. */
export async function setSiteMaxRating(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<{ maxContentRating: ContentRating }> {
  const admin = requireAdmin(actorOrNull);
  const { maxContentRating } = parseInput(siteMaxSchema, input);
  const db = await getDb();
  await db
    .insert(siteSettings)
    .values({ id: true, maxContentRating, updatedBy: admin.id })
    .onConflictDoUpdate({
      target: siteSettings.id,
      set: { maxContentRating, updatedBy: admin.id, updatedAt: sql`now()` },
    });
  return { maxContentRating };
}

/** The site's maximum for the admin page. */
export async function getSiteSettings(actorOrNull: Actor | null): Promise<{ maxContentRating: ContentRating }> {
  requireAdmin(actorOrNull);
  return { maxContentRating: await siteMaxRating(await getDb()) };
}

export { contentRatingLabels };
