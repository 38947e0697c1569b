/**
 * Fixtures for the benchmarks that drive the app over HTTP: authors with an API token and stories of two written
 * pages followed by blank pages, made through the app's own domain functions before the server starts.
 */
import crypto from "node:crypto";
import type { DbHandle } from "@/db";
import { users } from "@/db/schema";
import { createApiToken } from "@/lib/auth/api-tokens";
import { addPage, createStory, type Actor } from "@/lib/stories";

export const CONTEXT = [
  "Mara climbed the lighthouse stairs with the borrowed lantern, counting the steps as her father had taught her.",
  "At the top the lamp was cold. Tobin waited by the window and said nothing about the storm coming in from the sea.",
];

export interface Author {
  actor: Actor;
  secret: string;
}

export interface Target {
  storyId: string;
  pageId: string;
}

export async function makeAuthor(db: DbHandle["db"], label: string): Promise<Author> {
  const [user] = await db
    .insert(users)
    .values({
      email: `bench-${label}-${crypto.randomBytes(4).toString("hex")}@example.com`,
      name: `Author ${label}`,
      passwordHash: "not-a-real-hash",
    })
    .returning();
  const actor = { id: user!.id, role: user!.role };
  const { secret } = await createApiToken(actor, { name: "bench" });
  return { actor, secret };
}

/** A story of the two CONTEXT pages and `blank` blank pages; returns the blank pages as targets. */
export async function makeStory(author: Author, title: string, blank = 1): Promise<Target[]> {
  const story = await createStory(author.actor, { title });
  for (const content of CONTEXT) await addPage(author.actor, { storyId: story.id, content });
  const targets: Target[] = [];
  for (let i = 0; i < blank; i++) {
    targets.push({ storyId: story.id, pageId: (await addPage(author.actor, { storyId: story.id, content: "" })).id });
  }
  return targets;
}
