import { inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { stories, users } from "@/db/schema";
import { usageRangeSchema, usageReport, type UsageGroup, type UsageReport } from "@/lib/ai";
import type { Actor } from "./actor";
import { requireAdmin } from "./access";
import { parseInput } from "./validation";

export interface LabelledGroup extends UsageGroup {
  label: string;
}

export interface AdminUsage extends Omit<UsageReport, "users" | "scopes"> {
  users: LabelledGroup[];
  stories: LabelledGroup[];
}

/** Usage for admins (NOT_FOUND for anyone else), with people shown by email and stories by title. */
export async function getAdminUsage(actorOrNull: Actor | null, input: unknown): Promise<AdminUsage> {
  requireAdmin(actorOrNull);
  const range = parseInput(usageRangeSchema, input ?? {});
  const db = await getDb();
  const report = await usageReport(db, range);
  const userIds = report.users.map((u) => u.key).filter((k): k is string => k !== null);
  const storyIds = report.scopes.map((s) => s.key).filter((k): k is string => k !== null);
  const [userRows, storyRows] = await Promise.all([
    userIds.length ? db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, userIds)) : [],
    storyIds.length
      ? db.select({ id: stories.id, title: stories.title }).from(stories).where(inArray(stories.id, storyIds))
      : [],
  ]);
  const emails = new Map(userRows.map((u) => [u.id, u.email]));
  const titles = new Map(storyRows.map((s) => [s.id, s.title]));
  const { users: userGroups, scopes, ...rest } = report;
  return {
    ...rest,
    users: userGroups.map((g) => ({ ...g, label: g.key ? (emails.get(g.key) ?? "deleted user") : "no user" })),
    stories: scopes.map((g) => ({ ...g, label: g.key ? (titles.get(g.key) ?? "deleted story") : "no story" })),
  };
}
