import { getDb } from "@/db";
import type { CodexEntry, CodexKind } from "@/db/memory-schema";
import { createMentionMatcher, type MentionMatcher } from "@/lib/ai";
import { loadPageFor, loadStoryFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { livePageTexts } from "../page-job-input";
import { pageIdSchema, parseInput, storyIdSchema } from "../validation";
import { codexRows } from "./entries";
import { pageMentionFinder } from "./page-mentions";

/** An entry a text mentions, and where: the page itself or one of its neighbours. */
export interface CodexMention {
  entryId: string;
  kind: CodexKind;
  name: string;
  foundIn: "page" | "previous" | "next";
}

function matcherFor(rows: readonly CodexEntry[]): MentionMatcher {
  return createMentionMatcher(rows.map((row) => ({ id: row.id, names: [row.name, ...row.aliases] })));
}

function mentioned(matcher: MentionMatcher, text: string): Set<string> {
  return new Set(matcher.find(text).map((m) => m.id));
}

/**
 * The entries a page mentions by name or alias, with those its neighbours (one page on each side) mention: what the
 * page's context would draw on. Entries set to "never" are still shown, since the author asked what is mentioned.
 */
export async function codexMentionsForPage(actorOrNull: Actor | null, input: unknown): Promise<CodexMention[]> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(pageIdSchema, input);
  const db = await getDb();
  const { page, story } = await loadPageFor(db, actor, "read", pageId);
  const rows = await codexRows(db, story.id);
  if (rows.length === 0) return [];
  const live = await livePageTexts(db, story.id);
  const at = live.findIndex((p) => p.id === page.id);
  const matcher = matcherFor(rows);
  const places: [CodexMention["foundIn"], string | undefined][] = [
    ["page", live[at]?.content],
    ["previous", at > 0 ? live[at - 1]?.content : undefined],
    ["next", live[at + 1]?.content],
  ];
  const seen = new Map<string, CodexMention["foundIn"]>();
  for (const [foundIn, text] of places) {
    if (!text) continue;
    for (const id of mentioned(matcher, text)) if (!seen.has(id)) seen.set(id, foundIn);
  }
  return rows
    .filter((row) => seen.has(row.id))
    .map((row) => ({ entryId: row.id, kind: row.kind, name: row.name, foundIn: seen.get(row.id)! }));
}

/**
 * For each live page of a story, the entries its own text mentions (the chips on the page cards), computed with one
 * matcher for the whole story. Pages that mention nothing are absent.
 */
export async function codexMentionsByPage(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<Record<string, { entryId: string; kind: CodexKind; name: string }[]>> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyIdSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "read", storyId);
  const rows = await codexRows(db, story.id);
  if (rows.length === 0) return {};
  // The same finder the page cards run in the browser as the text and the codex change (./page-mentions.ts).
  const mentionsOf = pageMentionFinder(rows);
  const result: Record<string, { entryId: string; kind: CodexKind; name: string }[]> = {};
  for (const page of await livePageTexts(db, story.id)) {
    const chips = mentionsOf(page.content);
    if (chips.length > 0) result[page.id] = chips;
  }
  return result;
}
