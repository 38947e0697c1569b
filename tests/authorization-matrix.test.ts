import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import type { Actor } from "@/lib/stories";
import { writePageContent } from "@/lib/stories/pages";
import { callRoute } from "./api/route-call";
import { useTestDb } from "./helpers/db";
import { makeActor, makeAiJob, makeStory } from "./helpers/fixtures";

/**
 * The authorization matrix over EVERY route handler (app/**\/route.ts, each exported method), every admin page and
 * every exported server action (app/actions/*.ts with "use server"), found on disk at test time: an entry without a
 * row here fails the first test, so a new route or action cannot skip authorization review.
 *
 * Each row runs as: anonymous, author A (owner of the world's story), author B, an admin, and A's personal API token
 * (no session). Outcomes are normalised to "ok" or an HTTP status ("redirect" for page redirects).
 */
const mocks = vi.hoisted(() => ({
  actor: null as { id: string; role: "author" | "admin"; name?: string; email?: string } | null,
}));
vi.mock("@/lib/auth", () => ({
  currentActor: async () => (mocks.actor ? { id: mocks.actor.id, role: mocks.actor.role } : null),
  // The events route watches the session it was opened with: a real row, so the stream stays open while it lives.
  currentSession: async () => {
    const { startSession } = await import("@/lib/auth/sessions");
    return mocks.actor
      ? { actor: { id: mocks.actor.id, role: mocks.actor.role }, sessionId: await startSession(mocks.actor.id) }
      : null;
  },
  auth: async () =>
    mocks.actor
      ? { user: { id: mocks.actor.id, role: mocks.actor.role, name: "Someone", email: "someone@example.com" } }
      : null,
  signIn: vi.fn(async () => undefined),
  signOut: vi.fn(async () => undefined),
  handlers: { GET: vi.fn(), POST: vi.fn() },
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));
// Background revisions send their own event; no engine runs here.
vi.mock("@/lib/inngest/client", async (original) => {
  const mod = await original<typeof import("@/lib/inngest/client")>();
  mod.inngest.send = vi.fn(async () => ({ ids: [] })) as unknown as typeof mod.inngest.send;
  return mod;
});

// Every world creates jobs for author A: the per-minute rate limit is not what this file tests.
vi.stubEnv("AI_RATE_LIMIT_PER_MINUTE", "0"); // also the vitest default; explicit because this file relies on it

useTestDb();

type Who = "anonymous" | "authorA" | "authorB" | "admin" | "tokenA";
type Outcome = "ok" | "redirect" | number;
const everyone: Who[] = ["anonymous", "authorA", "authorB", "admin", "tokenA"];

interface World {
  storyId: string;
  pageId: string;
  blankPageId: string;
  jobId: string;
  suggestionId: string;
  revisionId: string;
  tokenId: string;
  backgroundJobId: string | null;
  codexEntryId: string;
  codexSuggestionId: string;
  codexSuggestJobId: string;
}

interface Row {
  /** Calls the route/action/page for the world, as `who`; returns the normalised outcome. */
  run(w: World, who: Who): Promise<Outcome>;
  expect: Record<Who, Outcome | readonly Outcome[]>;
}

/** Expectation patterns. */
const owned = { anonymous: 401, authorA: "ok", authorB: 404, admin: "ok", tokenA: 401 } as const;
const signedIn = { anonymous: 401, authorA: "ok", authorB: "ok", admin: "ok", tokenA: 401 } as const;
const adminOnly = { anonymous: 401, authorA: 404, authorB: 404, admin: "ok", tokenA: 401 } as const;
const adminPage = {
  anonymous: [404, "redirect"],
  authorA: 404,
  authorB: 404,
  admin: "ok",
  tokenA: [404, "redirect"],
} as const;
/** REST v1: bearer token only; a browser session is not enough (B's and the admin's tokens: the last test). */
const v1Token = { anonymous: 401, authorA: 401, authorB: 401, admin: 401, tokenA: "ok" } as const;

let a: Actor;
let b: Actor;
let admin: Actor;
let tokenA = "";
let tokenB = "";
let tokenAdmin = "";

function actorFor(who: Who): Actor | null {
  return who === "authorA" ? a : who === "authorB" ? b : who === "admin" ? admin : null;
}

async function makeWorld(): Promise<World> {
  const { story, pages } = await makeStory(a, ["Text to revise.", "", "Other text."]);
  const db = await getDb();
  const jobId = await makeAiJob(pages[0]!.id, a.id);
  await db
    .update(aiJobs)
    .set({ scopeType: "story", scopeId: story.id, inputTokens: 5, outputTokens: 5 })
    .where(eq(aiJobs.id, jobId));
  const written = await writePageContent(db, {
    pageId: pages[0]!.id,
    content: "machine text",
    baseVersion: 1,
    authorId: a.id,
    source: "ai",
    jobId,
  });
  void written;
  const suggestionJob = await makeAiJob(pages[2]!.id, a.id);
  const [suggestion] = await db
    .insert(pageSuggestions)
    .values({ pageId: pages[2]!.id, jobId: suggestionJob, content: "Suggested.", baseVersion: 1 })
    .returning();
  const { pageRevisions } = await import("@/db/schema");
  const [revision] = await db.select().from(pageRevisions).where(eq(pageRevisions.pageId, pages[0]!.id)).limit(1);
  // Inserted directly: the per-user token cap is not what this file tests.
  const { apiTokens } = await import("@/db/api-tokens-schema");
  await db.delete(apiTokens).where(eq(apiTokens.name, "world"));
  const [token] = await db
    .insert(apiTokens)
    .values({ userId: a.id, name: "world", tokenHash: crypto.randomUUID(), prefix: "ss_world" })
    .returning();
  let backgroundJobId: string | null = null;
  try {
    const { requestBackgroundRevision } = await import("@/lib/stories");
    const outcome = await requestBackgroundRevision(a, {
      storyId: story.id,
      pageIds: [pages[2]!.id],
      instruction: "darker",
    });
    backgroundJobId =
      (outcome as { revision: { id?: string; jobId?: string } }).revision.jobId ??
      (outcome as { revision: { id: string } }).revision.id;
  } catch {
    backgroundJobId = null;
  }
  return {
    storyId: story.id,
    pageId: pages[0]!.id,
    blankPageId: pages[1]!.id,
    jobId,
    suggestionId: suggestion!.id,
    revisionId: revision!.id,
    tokenId: token!.id,
    backgroundJobId,
    ...(await makeCodex(story.id)),
  };
}

/** A codex entry and an open codex suggestion in A's story. */
async function makeCodex(
  storyId: string,
): Promise<Pick<World, "codexEntryId" | "codexSuggestionId" | "codexSuggestJobId">> {
  const { createCodexEntry, requestCodexSuggestions } = await import("@/lib/stories");
  const { codexSuggestions } = await import("@/db/memory-schema");
  const entry = await createCodexEntry(a, { storyId, kind: "character", name: `Mara ${crypto.randomUUID()}` });
  const [suggestion] = await (await getDb())
    .insert(codexSuggestions)
    .values({ storyId, kind: "place", name: `Harbour ${crypto.randomUUID()}` })
    .returning();
  const { run } = await requestCodexSuggestions(a, { storyId });
  return { codexEntryId: entry.id, codexSuggestionId: suggestion!.id, codexSuggestJobId: run.id };
}

const statusOf: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

/** A server action's outcome: ok, or its error's HTTP status. */
function action(file: string, name: string, input: (w: World) => unknown[], expectation: Row["expect"]): [string, Row] {
  return [
    `action ${file}#${name}`,
    {
      expect: expectation,
      async run(w, who) {
        mocks.actor = actorFor(who);
        const mod = (await import(`@/app/actions/${file.replace(/\.ts$/, "")}`)) as Record<
          string,
          (...args: unknown[]) => Promise<unknown>
        >;
        const result = (await mod[name]!(...input(w))) as { ok: boolean; error?: { code: string } };
        if (result.ok) return "ok";
        return statusOf[result.error!.code] ?? (result.error!.code === "INTERNAL" ? 500 : 400);
      },
    },
  ];
}

/** A route handler called with a Request: the session comes from the mock, the token from the Authorization header. */
function route(
  key: string,
  load: () => Promise<Record<string, unknown>>,
  method: string,
  options: (w: World) => { path?: string; params?: Record<string, string>; body?: unknown },
  expectation: Row["expect"],
): [string, Row] {
  return [
    key,
    {
      expect: expectation,
      async run(w, who) {
        mocks.actor = actorFor(who);
        const mod = await load();
        const o = options(w);
        const res = await callRoute(mod[method], { method, ...o, token: who === "tokenA" ? tokenA : null });
        return res.status >= 200 && res.status < 300 ? "ok" : res.status;
      },
    },
  ];
}

/** A server-component page: notFound() → 404, redirect() → "redirect", a rendered element → ok. */
function page(
  key: string,
  load: () => Promise<{ default: (props: unknown) => unknown }>,
  params: (w: World) => Record<string, string>,
): [string, Row] {
  return [
    key,
    {
      expect: adminPage,
      async run(w, who) {
        mocks.actor = actorFor(who);
        const mod = await load();
        try {
          await mod.default({ params: Promise.resolve(params(w)), searchParams: Promise.resolve({}) });
          return "ok";
        } catch (error) {
          const digest = String((error as { digest?: string }).digest ?? "");
          if (digest.includes("404")) return 404;
          if (digest.startsWith("NEXT_REDIRECT")) return "redirect";
          throw error;
        }
      },
    },
  ];
}

const rows: Record<string, Row> = Object.fromEntries([
  // ── REST API v1 ──
  route(
    "POST /api/v1/pages/[pageId]/generate",
    () => import("@/app/api/v1/pages/[pageId]/generate/route"),
    "POST",
    (w) => ({ params: { pageId: w.blankPageId }, body: {} }),
    v1Token,
  ),
  route(
    "GET /api/v1/jobs",
    () => import("@/app/api/v1/jobs/route"),
    "GET",
    () => ({ path: "/api/v1/jobs" }),
    v1Token,
  ),
  route(
    "GET /api/v1/jobs/[jobId]",
    () => import("@/app/api/v1/jobs/[jobId]/route"),
    "GET",
    (w) => ({ params: { jobId: w.jobId } }),
    v1Token,
  ),
  route(
    "POST /api/v1/jobs/[jobId]/cancel",
    () => import("@/app/api/v1/jobs/[jobId]/cancel/route"),
    "POST",
    (w) => ({ params: { jobId: w.jobId } }),
    v1Token,
  ),
  route(
    "POST /api/v1/jobs/[jobId]/retry",
    () => import("@/app/api/v1/jobs/[jobId]/retry/route"),
    "POST",
    (w) => ({ params: { jobId: w.jobId } }),
    v1Token,
  ),
  route(
    "POST /api/v1/generations/validate",
    () => import("@/app/api/v1/generations/validate/route"),
    "POST",
    (w) => ({ body: { pageId: w.pageId } }),
    v1Token,
  ),
  route(
    "GET /api/v1/pages/[pageId]/summary",
    () => import("@/app/api/v1/pages/[pageId]/summary/route"),
    "GET",
    (w) => ({ params: { pageId: w.pageId } }),
    v1Token,
  ),
  route(
    "PUT /api/v1/pages/[pageId]/summary",
    () => import("@/app/api/v1/pages/[pageId]/summary/route"),
    "PUT",
    (w) => ({ params: { pageId: w.pageId }, body: { text: "A summary." } }),
    v1Token,
  ),
  route(
    "DELETE /api/v1/pages/[pageId]/summary",
    () => import("@/app/api/v1/pages/[pageId]/summary/route"),
    "DELETE",
    (w) => ({ params: { pageId: w.pageId } }),
    v1Token,
  ),
  route(
    "POST /api/v1/stories/[storyId]/summaries/refresh",
    () => import("@/app/api/v1/stories/[storyId]/summaries/refresh/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Token,
  ),
  route(
    "GET /api/v1/stories/[storyId]/export",
    () => import("@/app/api/v1/stories/[storyId]/export/route"),
    "GET",
    (w) => ({ path: "/api/v1/stories/x/export?format=epub", params: { storyId: w.storyId } }),
    v1Token,
  ),
  route(
    "GET /api/v1/openapi.json",
    () => import("@/app/api/v1/openapi.json/route"),
    "GET",
    () => ({}),
    { anonymous: "ok", authorA: "ok", authorB: "ok", admin: "ok", tokenA: "ok" },
  ),
  // ── session routes ──
  route(
    "GET /api/jobs/[jobId]",
    () => import("@/app/api/jobs/[jobId]/route"),
    "GET",
    (w) => ({ params: { jobId: w.jobId } }),
    owned,
  ),
  route(
    "GET /api/stories/[storyId]/events",
    () => import("@/app/api/stories/[storyId]/events/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    { anonymous: 401, authorA: "ok", authorB: 404, admin: "ok", tokenA: "ok" },
  ),
  route(
    "GET /api/stories/[storyId]/export",
    () => import("@/app/api/stories/[storyId]/export/route"),
    "GET",
    (w) => ({ path: "/api/stories/x/export?format=md&codex=true", params: { storyId: w.storyId } }),
    { anonymous: 401, authorA: "ok", authorB: 404, admin: "ok", tokenA: "ok" },
  ),
  route(
    "GET /api/admin/jobs.csv",
    () => import("@/app/api/admin/jobs.csv/route"),
    "GET",
    () => ({ path: "/api/admin/jobs.csv" }),
    adminOnly,
  ),
  // Metrics are guarded by METRICS_TOKEN, not by users: with it unset the route does not exist for anyone.
  route(
    "GET /api/metrics",
    () => import("@/app/api/metrics/route"),
    "GET",
    () => ({}),
    { anonymous: 404, authorA: 404, authorB: 404, admin: 404, tokenA: 404 },
  ),
  // Benchmark routes (app/api/bench) exist only with STORY_SPROUT_BENCH_ROUTES=1, never set here: 404 for everyone.
  route(
    "POST /api/bench/plain-stream",
    () => import("@/app/api/bench/plain-stream/route"),
    "POST",
    () => ({ path: "/api/bench/plain-stream", body: { prompt: "x", count: 1 } }),
    { anonymous: 404, authorA: 404, authorB: 404, admin: 404, tokenA: 404 },
  ),
  route(
    "GET /api/bench/engine",
    () => import("@/app/api/bench/engine/route"),
    "GET",
    () => ({ path: "/api/bench/engine" }),
    { anonymous: 404, authorA: 404, authorB: 404, admin: 404, tokenA: 404 },
  ),
  route(
    "POST /api/bench/engine",
    () => import("@/app/api/bench/engine/route"),
    "POST",
    () => ({ path: "/api/bench/engine", body: { prompt: "x", count: 1 } }),
    { anonymous: 404, authorA: 404, authorB: 404, admin: 404, tokenA: 404 },
  ),
  route(
    "POST /api/bench/bare-insert/[pageId]",
    () => import("@/app/api/bench/bare-insert/[pageId]/route"),
    "POST",
    (w) => ({ params: { pageId: w.blankPageId }, body: {} }),
    { anonymous: 404, authorA: 404, authorB: 404, admin: 404, tokenA: 404 },
  ),
  // ── admin pages ──
  page(
    "page /admin/users",
    () => import("@/app/(app)/admin/users/page") as never,
    () => ({}),
  ),
  page(
    "page /admin/jobs",
    () => import("@/app/(app)/admin/jobs/page") as never,
    () => ({}),
  ),
  page(
    "page /admin/jobs/[jobId]",
    () => import("@/app/(app)/admin/jobs/[jobId]/page") as never,
    (w) => ({ jobId: w.jobId }),
  ),
  page(
    "page /admin/usage",
    () => import("@/app/(app)/admin/usage/page") as never,
    () => ({}),
  ),
  page(
    "page /admin/models",
    () => import("@/app/(app)/admin/models/page") as never,
    () => ({}),
  ),
  // ── actions: stories ──
  action("stories.ts", "createStoryAction", () => [{ title: "New" }], signedIn),
  action("stories.ts", "updateStoryAction", (w) => [{ storyId: w.storyId, title: "Renamed" }], owned),
  action("stories.ts", "deleteStoryAction", (w) => [{ storyId: w.storyId }], owned),
  action("stories.ts", "addPageAction", (w) => [{ storyId: w.storyId }], owned),
  action("stories.ts", "savePageAction", (w) => [{ pageId: w.blankPageId, content: "x", baseVersion: 1 }], owned),
  action("stories.ts", "movePageAction", (w) => [{ pageId: w.blankPageId, direction: "up" }], owned),
  action("stories.ts", "deletePageAction", (w) => [{ pageId: w.blankPageId }], owned),
  action("stories.ts", "undeletePageAction", (w) => [{ pageId: w.blankPageId }], owned),
  action("stories.ts", "listRevisionsAction", (w) => [{ pageId: w.pageId }], owned),
  action(
    "stories.ts",
    "restoreRevisionAction",
    (w) => [{ pageId: w.pageId, revisionId: w.revisionId, baseVersion: 2 }],
    owned,
  ),
  // ── actions: generation ──
  action("generation.ts", "requestPageTextAction", (w) => [{ pageId: w.blankPageId }], owned),
  action("generation.ts", "cancelPageJobAction", (w) => [{ jobId: w.jobId }], owned),
  action("generation.ts", "getLatestPageJobAction", (w) => [{ pageId: w.pageId }], owned),
  action("generation.ts", "listOpenSuggestionsAction", (w) => [{ storyId: w.storyId }], owned),
  action("generation.ts", "applySuggestionAction", (w) => [{ suggestionId: w.suggestionId }], owned),
  action("generation.ts", "discardSuggestionAction", (w) => [{ suggestionId: w.suggestionId }], owned),
  action("generation.ts", "listActivePageJobsAction", (w) => [{ storyId: w.storyId }], owned),
  action("generation.ts", "undoPageJobAction", (w) => [{ jobId: w.jobId }], owned),
  action("generation.ts", "checkPageTextRequestAction", (w) => [{ pageId: w.pageId }], owned),
  // ── actions: budgets, tokens ──
  action("budgets.ts", "getAiAllowanceAction", () => [], signedIn),
  action("budgets.ts", "setUserBudgetAction", () => [{ userId: a.id, dailyTokenBudget: "" }], adminOnly),
  action("tokens.ts", "createApiTokenAction", () => [{ name: "matrix" }], signedIn),
  action("tokens.ts", "listApiTokensAction", () => [], signedIn),
  // A token is its owner's alone: admins cannot revoke it either.
  action("tokens.ts", "revokeApiTokenAction", (w) => [{ tokenId: w.tokenId }], { ...owned, admin: 404 }),
  // ── actions: admin jobs ──
  action("admin.ts", "adminRetryJobAction", (w) => [{ jobId: w.jobId }], adminOnly),
  action("admin.ts", "adminCancelJobAction", (w) => [{ jobId: w.jobId }], adminOnly),
  // ── actions: background revisions ──
  action(
    "background.ts",
    "requestBackgroundRevisionAction",
    (w) => [{ storyId: w.storyId, pageIds: [w.pageId], instruction: "brighter" }],
    owned,
  ),
  action("background.ts", "getBackgroundRevisionAction", (w) => [{ storyId: w.storyId }], owned),
  action("background.ts", "cancelBackgroundRevisionAction", (w) => [{ jobId: w.backgroundJobId }], owned),
  action("background.ts", "applyAllSuggestionsAction", (w) => [{ jobId: w.backgroundJobId }], owned),
  action("background.ts", "discardAllSuggestionsAction", (w) => [{ jobId: w.backgroundJobId }], owned),
  // ── the story codex: REST v1 and actions ──
  route(
    "GET /api/v1/stories/[storyId]/codex",
    () => import("@/app/api/v1/stories/[storyId]/codex/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Token,
  ),
  route(
    "POST /api/v1/stories/[storyId]/codex",
    () => import("@/app/api/v1/stories/[storyId]/codex/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId }, body: { kind: "thing", name: `Lamp ${crypto.randomUUID()}` } }),
    v1Token,
  ),
  route(
    "PATCH /api/v1/codex/[entryId]",
    () => import("@/app/api/v1/codex/[entryId]/route"),
    "PATCH",
    (w) => ({ params: { entryId: w.codexEntryId }, body: { baseVersion: 1, description: "Changed." } }),
    v1Token,
  ),
  route(
    "DELETE /api/v1/codex/[entryId]",
    () => import("@/app/api/v1/codex/[entryId]/route"),
    "DELETE",
    (w) => ({ params: { entryId: w.codexEntryId } }),
    v1Token,
  ),
  route(
    "POST /api/v1/stories/[storyId]/codex/suggest",
    () => import("@/app/api/v1/stories/[storyId]/codex/suggest/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Token,
  ),
  route(
    "GET /api/v1/stories/[storyId]/codex/suggest",
    () => import("@/app/api/v1/stories/[storyId]/codex/suggest/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Token,
  ),
  route(
    "GET /api/v1/stories/[storyId]/codex/suggestions",
    () => import("@/app/api/v1/stories/[storyId]/codex/suggestions/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Token,
  ),
  route(
    "POST /api/v1/codex-suggestions/[suggestionId]/accept",
    () => import("@/app/api/v1/codex-suggestions/[suggestionId]/accept/route"),
    "POST",
    (w) => ({ params: { suggestionId: w.codexSuggestionId } }),
    v1Token,
  ),
  route(
    "POST /api/v1/codex-suggestions/[suggestionId]/reject",
    () => import("@/app/api/v1/codex-suggestions/[suggestionId]/reject/route"),
    "POST",
    (w) => ({ params: { suggestionId: w.codexSuggestionId } }),
    v1Token,
  ),
  action("codex.ts", "listCodexAction", (w) => [{ storyId: w.storyId }], owned),
  action(
    "codex.ts",
    "createCodexEntryAction",
    (w) => [{ storyId: w.storyId, kind: "thing", name: `Lamp ${crypto.randomUUID()}` }],
    owned,
  ),
  action(
    "codex.ts",
    "updateCodexEntryAction",
    (w) => [{ entryId: w.codexEntryId, baseVersion: 1, description: "Changed." }],
    owned,
  ),
  action("codex.ts", "deleteCodexEntryAction", (w) => [{ entryId: w.codexEntryId }], owned),
  action("codex.ts", "requestCodexSuggestionsAction", (w) => [{ storyId: w.storyId }], owned),
  action("codex.ts", "getCodexSuggestRunAction", (w) => [{ storyId: w.storyId }], owned),
  action("codex.ts", "cancelCodexSuggestRunAction", (w) => [{ jobId: w.codexSuggestJobId }], owned),
  action("codex.ts", "listCodexSuggestionsAction", (w) => [{ storyId: w.storyId }], owned),
  action("codex.ts", "acceptCodexSuggestionAction", (w) => [{ suggestionId: w.codexSuggestionId }], owned),
  action("codex.ts", "rejectCodexSuggestionAction", (w) => [{ suggestionId: w.codexSuggestionId }], owned),
  // ── actions: page summaries ──
  action("summaries.ts", "getPageSummaryAction", (w) => [{ pageId: w.pageId }], owned),
  action("summaries.ts", "pinPageSummaryAction", (w) => [{ pageId: w.pageId, text: "Mine." }], owned),
  action("summaries.ts", "unpinPageSummaryAction", (w) => [{ pageId: w.pageId }], owned),
  action("summaries.ts", "requestSummarizeAllAction", (w) => [{ storyId: w.storyId }], owned),
  action("summaries.ts", "getSummarizeAllAction", (w) => [{ storyId: w.storyId }], owned),
]);

/** Entries deliberately not run, each with the reason (they still have to be listed, so nothing is forgotten). */
const exempt: Record<string, string> = {
  "GET /api/auth/[...nextauth]":
    "Auth.js's own sign-in/session endpoints: public by design (e2e/auth.spec.ts covers them)",
  "POST /api/auth/[...nextauth]":
    "Auth.js's own sign-in/sign-out endpoints: public by design (e2e/auth.spec.ts covers them)",
  "GET /api/inngest": "Inngest serve endpoint: authenticated by Inngest request signatures, not users (tests/engine)",
  "POST /api/inngest": "Inngest serve endpoint: authenticated by Inngest request signatures, not users (tests/engine)",
  "PUT /api/inngest": "Inngest serve endpoint: authenticated by Inngest request signatures, not users (tests/engine)",
  "action auth.ts#signInAction": "signing in is for anonymous visitors (tests/users.test.ts, e2e/auth.spec.ts)",
  "action auth.ts#signUpAction": "signing up is for anonymous visitors (tests/users.test.ts, e2e/auth.spec.ts)",
  "action auth.ts#signOutAction": "signs out whoever asks; nothing to protect",
  "action auth.ts#signOutEverywhereAction":
    "ends only the asker's own sessions, takes no input (tests/auth/sessions.test.ts, e2e/auth.spec.ts)",
};

/** Everything that exists on disk now. */
function discover(): string[] {
  const root = path.join(process.cwd(), "app");
  const files = fs.readdirSync(root, { recursive: true }) as string[];
  const keys: string[] = [];
  for (const file of files) {
    const full = path.join(root, file);
    const segments = file.split(path.sep);
    const urlPath = `/${segments
      .slice(0, -1)
      .filter((s) => !/^\(.+\)$/.test(s))
      .join("/")}`;
    if (segments.at(-1) === "route.ts") {
      const source = fs.readFileSync(full, "utf8");
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        if (
          new RegExp(`export (const|async function|function) ${method}\\b|export const \\{[^}]*\\b${method}\\b`).test(
            source,
          )
        ) {
          keys.push(`${method} ${urlPath}`);
        }
      }
    } else if (segments.at(-1) === "page.tsx" && segments.includes("admin")) {
      keys.push(`page ${urlPath}`);
    } else if (segments[0] === "actions" && file.endsWith(".ts")) {
      const source = fs.readFileSync(full, "utf8");
      if (!/^\s*["']use server["']/.test(source)) continue;
      for (const m of source.matchAll(/export (?:async )?function (\w+)/g)) keys.push(`action ${segments[1]}#${m[1]}`);
    }
  }
  return keys.sort();
}

beforeAll(async () => {
  a = await makeActor();
  b = await makeActor();
  admin = await makeActor("admin");
  const { createApiToken } = await import("@/lib/auth/api-tokens");
  tokenA = (await createApiToken(a, { name: "A" })).secret;
  tokenB = (await createApiToken(b, { name: "B" })).secret;
  tokenAdmin = (await createApiToken(admin, { name: "admin" })).secret;
});

describe("authorization matrix", () => {
  it("has a row (or a stated exemption) for every route, admin page and server action on disk", () => {
    const found = discover();
    expect(found.length).toBeGreaterThan(30);
    const missing = found.filter((k) => !(k in rows) && !(k in exempt));
    expect(missing, "add these to tests/authorization-matrix.test.ts").toEqual([]);
    const stale = [...Object.keys(rows), ...Object.keys(exempt)].filter((k) => !found.includes(k));
    expect(stale, "rows for things that no longer exist").toEqual([]);
  });

  for (const [key, row] of Object.entries(rows)) {
    it(key, async () => {
      const got: Record<string, Outcome> = {};
      for (const who of everyone) got[who] = await row.run(await makeWorld(), who);
      const want = Object.fromEntries(everyone.map((who) => [who, row.expect[who]]));
      for (const who of everyone) {
        const expected = want[who];
        const ok = Array.isArray(expected) ? expected.includes(got[who]!) : expected === got[who];
        expect(ok, `${key} as ${who}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got[who])}`).toBe(
          true,
        );
      }
    });
  }

  it("API tokens of B and of an admin behave as their users on v1", async () => {
    const w = await makeWorld();
    const jobRoute = await import("@/app/api/v1/jobs/[jobId]/route");
    expect((await callRoute(jobRoute.GET, { token: tokenB, params: { jobId: w.jobId } })).status).toBe(404);
    expect((await callRoute(jobRoute.GET, { token: tokenAdmin, params: { jobId: w.jobId } })).status).toBe(200);
    const exportRoute = await import("@/app/api/v1/stories/[storyId]/export/route");
    const exportAs = (token: string) =>
      callRoute(exportRoute.GET, {
        token,
        path: "/api/v1/stories/x/export?format=txt",
        params: { storyId: w.storyId },
      });
    expect((await exportAs(tokenB)).status).toBe(404);
    expect((await exportAs(tokenAdmin)).status).toBe(200);
  });
});
