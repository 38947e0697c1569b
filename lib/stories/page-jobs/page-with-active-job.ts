import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { activeJobStatuses, aiJobs, type AiJob } from "@/db/ai-schema";
import { preparedPerDb } from "@/db/prepared-queries";
import { pages, stories, type Page, type Story } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { assertCan, storyWithMembers } from "../access";
import type { Actor } from "../actor";
import { PAGE_TARGET } from "../job-kinds";

/** Prepared (db/prepared-queries.ts): three rows' worth of columns cost more to build than to read, on every Generate. */
const pageWithActiveJob = preparedPerDb((db) =>
  db
    .select({ page: pages, story: storyWithMembers, active: aiJobs })
    .from(pages)
    .innerJoin(stories, eq(stories.id, pages.storyId))
    .leftJoin(
      aiJobs,
      and(
        eq(aiJobs.targetType, PAGE_TARGET),
        eq(aiJobs.targetId, pages.id),
        inArray(aiJobs.status, [...activeJobStatuses]),
      ),
    )
    .where(and(eq(pages.id, sql.placeholder("pageId")), isNull(pages.deletedAt)))
    .limit(1)
    .prepare("page_with_active_job"),
);

/**
 * A live page, its story and the job active on it, in one round trip: Generate's admission reads all three on every
 * request, and a request that joins a running job needs nothing else. Access is checked exactly as loadPageFor does
 * (../access.ts) before anything is returned, so a job on someone else's page is never revealed.
 */
export async function loadPageWithActiveJob(
  db: Db,
  actor: Actor,
  pageId: string,
): Promise<{ page: Page; story: Story; active: AiJob | null }> {
  const notFound = "We couldn't find that page.";
  const [row] = await pageWithActiveJob(db).execute({ pageId });
  if (!row) throw new AppError("NOT_FOUND", notFound);
  assertCan(actor, "generate", row.story, notFound);
  return row;
}
