import crypto from "node:crypto";
import { and, asc, eq, isNull } from "drizzle-orm";
import { expect } from "vitest";
import { getDb } from "@/db";
import { sqlState } from "@/db/errors";
import { pageRevisions, pages, stories, users, type Page, type Story, type UserRole } from "@/db/schema";
import { AppError, type ErrorCode } from "@/lib/errors";
import type { NewJob } from "@/lib/ai/jobs/ledger";
import { addPage, createStory, type Actor } from "@/lib/stories";

export const ZERO_UUID = "00000000-0000-4000-8000-000000000000";
export const randomId = () => crypto.randomUUID();

let counter = 0;

/**
 * A user inserted straight into the database (no bcrypt, no sign-up switch): fixtures for the domain tests,
 * which never sign in. Returns the Actor the domain expects, plus the name for revision checks.
 */
export async function makeActor(
  role: UserRole = "author",
  name?: string,
): Promise<Actor & { name: string; email: string }> {
  counter += 1;
  const email = `${role}-${counter}-${crypto.randomBytes(4).toString("hex")}@example.com`;
  const displayName = name ?? `${role === "admin" ? "Admin" : "Author"} ${counter}`;
  const db = await getDb();
  const [user] = await db
    .insert(users)
    .values({ email, name: displayName, passwordHash: "not-a-real-hash", role })
    .returning();
  return { id: user!.id, role: user!.role, name: displayName, email };
}

/** A story owned by `owner` with one page per entry of `contents`, added in order through the domain. */
export async function makeStory(
  owner: Actor,
  contents: string[] = [],
  title = "A story",
): Promise<{ story: Story; pages: Page[] }> {
  const story = await createStory(owner, { title });
  const added: Page[] = [];
  for (const content of contents) added.push(await addPage(owner, { storyId: story.id, content }));
  return { story, pages: added };
}

/** Every row of every table, in a stable order: compare two snapshots to prove that nothing was written. */
export async function snapshot() {
  const db = await getDb();
  return {
    users: await db.select().from(users).orderBy(asc(users.id)),
    stories: await db.select().from(stories).orderBy(asc(stories.id)),
    pages: await db.select().from(pages).orderBy(asc(pages.id)),
    pageRevisions: await db.select().from(pageRevisions).orderBy(asc(pageRevisions.id)),
  };
}

export async function rowCounts() {
  const s = await snapshot();
  return {
    users: s.users.length,
    stories: s.stories.length,
    pages: s.pages.length,
    pageRevisions: s.pageRevisions.length,
  };
}

export async function pageRow(pageId: string): Promise<Page | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(pages).where(eq(pages.id, pageId));
  return row;
}

export async function storyRow(storyId: string): Promise<Story | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(stories).where(eq(stories.id, storyId));
  return row;
}

/** Live page ids of a story in display order, read straight from the database. */
export async function liveOrder(storyId: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: pages.id })
    .from(pages)
    .where(and(eq(pages.storyId, storyId), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position));
  return rows.map((r) => r.id);
}

export async function revisionsOf(pageId: string) {
  const db = await getDb();
  return db.select().from(pageRevisions).where(eq(pageRevisions.pageId, pageId)).orderBy(asc(pageRevisions.version));
}

/** Puts a story's updatedAt far in the past, so that a later "was it bumped?" check needs no clock games. */
export async function ageStory(storyId: string): Promise<Date> {
  const old = new Date("2000-01-01T00:00:00.000Z");
  const db = await getDb();
  await db.update(stories).set({ updatedAt: old }).where(eq(stories.id, storyId));
  return old;
}

/** Awaits a promise that must reject with an AppError of the given code; returns the error. */
export async function expectAppError(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected AppError ${code}, but the call succeeded with ${JSON.stringify(value)?.slice(0, 200)}`);
    },
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw error;
  expect(error.code, error.message).toBe(code);
  return error;
}

/** Awaits a promise that must be refused by the database with the given SQLSTATE (e.g. 23514 check violation). */
export async function expectSqlState(promise: Promise<unknown>, state: string, constraint?: string): Promise<void> {
  const error = await promise.then(
    () => {
      throw new Error(`expected the database to refuse the write with SQLSTATE ${state}, but it was accepted`);
    },
    (e: unknown) => e,
  );
  expect(sqlState(error)).toBe(state);
  if (constraint) {
    // The constraint name is on the driver error (postgres: constraint_name, PGlite: constraint).
    let current: unknown = error;
    let found: unknown;
    for (let depth = 0; current && depth < 4 && !found; depth++) {
      const c = current as { constraint?: unknown; constraint_name?: unknown; cause?: unknown };
      found = c.constraint ?? c.constraint_name;
      current = c.cause;
    }
    expect(found).toBe(constraint);
  }
}

/** A finished AI job row for a page, for tests that need a real job id (page_revisions.job_id is a foreign key). */
export async function makeAiJob(pageId: string, requestedBy: string | null = null): Promise<string> {
  const { aiJobs } = await import("@/db/ai-schema");
  const db = await getDb();
  const [job] = await db
    .insert(aiJobs)
    .values({
      jobType: "page_text.revise",
      status: "succeeded",
      targetType: "page",
      targetId: pageId,
      requestedBy,
      templateKey: "page_revise",
      templateVersion: 1,
      provider: "offline",
      model: "offline",
      promptPayload: {},
      outputText: "machine text",
      baseVersion: 1,
    })
    .returning({ id: aiJobs.id });
  return job!.id;
}

/** Makes `user` a member of the story with `role`, straight in the database (the invitation flow has its own tests). */
export async function addMember(storyId: string, user: Actor, role: "editor" | "reader"): Promise<void> {
  const { storyMembers } = await import("@/db/schema");
  const db = await getDb();
  await db.insert(storyMembers).values({ storyId, userId: user.id, role });
}

/** The ledger's input for a Generate (write) of `pageId` in `storyId` requested by `requestedBy`, on the offline model. */
export function pageWriteJob(storyId: string, pageId: string, requestedBy: string): NewJob {
  return {
    jobType: "page_text.write",
    targetType: "page",
    targetId: pageId,
    scopeType: "story",
    scopeId: storyId,
    requestedBy,
    templateKey: "page_write",
    templateVersion: 1,
    provider: "offline",
    model: "offline",
    instruction: "",
    promptPayload: {},
    contextLeftOut: [],
    baseVersion: 1,
  };
}
