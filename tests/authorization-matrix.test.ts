import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import type { Actor } from "@/lib/stories";
import { startImport } from "@/lib/stories/import/job";
import { writePageContent } from "@/lib/stories/pages";
import { callRoute } from "./api/route-call";
import { useTestDb } from "./helpers/db";
import { addMember, makeActor, makeAiJob, makeStory } from "./helpers/fixtures";

/**
 * The authorization matrix over EVERY route handler (app/**\/route.ts, each exported method), every admin page and
 * every exported server action (app/actions/*.ts with "use server"), found on disk at test time: an entry without a
 * row here fails the first test, so a new route or action cannot skip authorization review.
 *
 * Each row runs as: anonymous, author A (owner of the world's story), author B, an admin, A's personal API token
 * (no session), and two members of A's story, an editor and a reader (with a session, or on REST v1 with their own
 * tokens). Outcomes are normalised to "ok" or an HTTP status ("redirect" for page redirects).
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

type Who = "anonymous" | "authorA" | "authorB" | "admin" | "tokenA" | "editor" | "reader";
type Outcome = "ok" | "redirect" | number;
const everyone: Who[] = ["anonymous", "authorA", "authorB", "admin", "tokenA", "editor", "reader"];

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
  /** A preset of A's. */
  presetId: string;
  /** An admin's unused draft of page_summary (the built-in versions are imported into the world). */
  promptDraftVersion: number;
  /** A manuscript import of author A (pending: no engine runs here). */
  importId: string;
  /** A French translation of the story (linked directly: no run), for the translation routes and actions. */
  translationId: string;
  /** A take set on page 3, its two takes written (the first is chosen by the choose rows). */
  takeSetId: string;
  takeId: string;
  /** A waiting invitation of A's story, addressed to B's email. */
  invitationId: string;
  /** A stored illustration of A's first page. */
  illustrationId: string;
}

interface Row {
  /** Calls the route/action/page for the world, as `who`; returns the normalised outcome. */
  run(w: World, who: Who): Promise<Outcome>;
  expect: Record<Who, Outcome | readonly Outcome[]>;
}

/** Expectation patterns. */
const asOwner = { anonymous: 401, authorA: "ok", authorB: 404, admin: "ok", tokenA: 401 } as const;
/** What a story's members may do by the right it needs (lib/stories/access.ts): readers read, editors also write. */
const readRight = { ...asOwner, editor: "ok", reader: "ok" } as const;
const editRight = { ...asOwner, editor: "ok", reader: 403 } as const;
const manageRight = { ...asOwner, editor: 403, reader: 403 } as const;
const signedIn = {
  anonymous: 401,
  authorA: "ok",
  authorB: "ok",
  admin: "ok",
  tokenA: 401,
  editor: "ok",
  reader: "ok",
} as const;
const adminOnly = {
  anonymous: 401,
  authorA: 404,
  authorB: 404,
  admin: "ok",
  tokenA: 401,
  editor: 404,
  reader: 404,
} as const;
const adminPage = {
  anonymous: [404, "redirect"],
  authorA: 404,
  authorB: 404,
  admin: "ok",
  tokenA: [404, "redirect"],
  editor: 404,
  reader: 404,
} as const;
/**
 * REST v1: bearer token only; a browser session is not enough (B's and the admin's tokens: the last test). The
 * editor and the reader call v1 with their own tokens.
 */
const v1Base = { anonymous: 401, authorA: 401, authorB: 401, admin: 401, tokenA: "ok" } as const;
const v1Read = { ...v1Base, editor: "ok", reader: "ok" } as const;
const v1Edit = { ...v1Base, editor: "ok", reader: 403 } as const;
const v1Manage = { ...v1Base, editor: 403, reader: 403 } as const;
const nobody = {
  anonymous: 404,
  authorA: 404,
  authorB: 404,
  admin: 404,
  tokenA: 404,
  editor: 404,
  reader: 404,
} as const;

let a: Actor;
let b: Actor;
let admin: Actor;
let editor: Actor;
let reader: Actor;
let tokenEditor = "";
let tokenReader = "";
let tokenA = "";
let tokenB = "";
let tokenAdmin = "";
let bEmail = "";

function actorFor(who: Who): Actor | null {
  const actors: Partial<Record<Who, Actor>> = { authorA: a, authorB: b, admin, editor, reader };
  return actors[who] ?? null;
}

async function makeWorld(): Promise<World> {
  const { story, pages } = await makeStory(a, ["Text to revise.", "", "Other text."]);
  const db = await getDb();
  await addMember(story.id, editor, "editor");
  await addMember(story.id, reader, "reader");
  const { inviteMember } = await import("@/lib/stories");
  const invitation = await inviteMember(a, { storyId: story.id, email: bEmail, role: "reader" });
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
    invitationId: invitation.id,
    ...(await makeCodex(story.id)),
    ...(await makePrompts()),
    importId: (await startImport(a, { file: { name: "a.md", bytes: Buffer.from("# A\n\ntext") }, options: {} })).id,
    translationId: await makeTranslation(story.id),
    ...(await makeTakes(pages[2]!.id)),
    illustrationId: await makeIllustration(story.id, pages[0]!.id),
  };
}

/** The built-in prompt versions, an admin's draft, and a preset of A's. */
async function makePrompts(): Promise<Pick<World, "presetId" | "promptDraftVersion">> {
  const { importBuiltinPrompts } = await import("@/lib/ai");
  const { createPromptDraft } = await import("@/lib/stories");
  const { instructionPresets } = await import("@/db/prompts-schema");
  await importBuiltinPrompts(await getDb());
  // Every world replaces A's presets: the per-user preset cap is not what this file tests.
  await (await getDb()).delete(instructionPresets).where(eq(instructionPresets.userId, a.id));
  const [preset] = await (await getDb())
    .insert(instructionPresets)
    .values({ userId: a.id, label: crypto.randomUUID(), instruction: "Darker." })
    .returning();
  const draft = await createPromptDraft(admin, { family: "page_summary", body: "Draft {{ story.title }}" });
  return { presetId: preset!.id, promptDraftVersion: draft.version };
}

async function makeTranslation(storyId: string): Promise<string> {
  const db = await getDb();
  const { stories } = await import("@/db/schema");
  const { storyTranslations } = await import("@/db/translations-schema");
  const [translation] = await db
    .insert(stories)
    .values({ ownerId: a.id, title: "A story (French)", language: "fr" })
    .returning();
  await db.insert(storyTranslations).values({ storyId: translation!.id, sourceStoryId: storyId, language: "fr" });
  const { pages } = await import("@/db/schema");
  await db.insert(pages).values({ storyId: translation!.id, position: "a0", content: "Texte." });
  return translation!.id;
}

/** A take set of A's on a page, its takes finished (written straight into the ledger: no engine runs here). */
async function makeTakes(pageId: string): Promise<Pick<World, "takeSetId" | "takeId">> {
  const { requestTakes } = await import("@/lib/stories");
  const { set } = await requestTakes(a, { pageId, count: 2 });
  const db = await getDb();
  const now = new Date();
  await db
    .update(aiJobs)
    .set({ status: "succeeded", outputText: "A take.", completedAt: now, landedAt: now })
    .where(eq(aiJobs.parentJobId, set.id));
  await db.update(aiJobs).set({ status: "succeeded", completedAt: now }).where(eq(aiJobs.id, set.id));
  return { takeSetId: set.id, takeId: set.takes[0]!.id };
}

/** A stored illustration of A's first page (rows written directly: the job is tests/illustrations/job.test.ts's). */
async function makeIllustration(storyId: string, pageId: string): Promise<string> {
  const { pageIllustrations, storedImages } = await import("@/db/illustrations-schema");
  const { drawOfflineIllustration } = await import("@/lib/ai");
  const bytes = drawOfflineIllustration({ title: "T", scene: "S", characters: [], places: [] });
  const id = crypto.randomUUID();
  const key = `illustrations/${storyId}/${id}.png`;
  const db = await getDb();
  await db.insert(storedImages).values({ key, bytes, contentType: "image/png", byteSize: bytes.byteLength });
  await db.insert(pageIllustrations).values({
    id,
    storyId,
    pageId,
    sceneDescription: "S",
    imagePrompt: "P",
    storage: "database",
    imageKey: key,
    contentType: "image/png",
    byteSize: bytes.byteLength,
    width: 768,
    height: 512,
    model: "offline-illustrator",
    offline: true,
  });
  return id;
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
        // On v1 the members call with their own tokens (a session is not enough there); elsewhere with a session.
        const member = key.includes(" /api/v1/") && (who === "editor" || who === "reader");
        mocks.actor = member ? null : actorFor(who);
        const mod = await load();
        const o = options(w);
        const token = who === "tokenA" ? tokenA : member ? (who === "editor" ? tokenEditor : tokenReader) : null;
        const res = await callRoute(mod[method], { method, ...o, token });
        return res.status >= 200 && res.status < 300 ? "ok" : res.status;
      },
    },
  ];
}

/** A manuscript upload (multipart, preview only: nothing is created) to one of the two import routes. */
function importUpload(
  key: string,
  load: () => Promise<Record<string, unknown>>,
  expectation: Row["expect"],
): [string, Row] {
  return [
    key,
    {
      expect: expectation,
      async run(_w, who) {
        mocks.actor = actorFor(who);
        const form = new FormData();
        form.set("file", new File(["# Title\n\nSome text."], "book.md"));
        form.set("preview", "true");
        const headers: Record<string, string> = who === "tokenA" ? { authorization: `Bearer ${tokenA}` } : {};
        const request = new Request("http://localhost/api/stories/import", { method: "POST", headers, body: form });
        const handler = (await load()).POST as (r: Request, c: { params: Promise<unknown> }) => Promise<Response>;
        const res = await handler(request, { params: Promise.resolve({}) });
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
    v1Edit,
  ),
  route(
    "POST /api/v1/pages/[pageId]/takes",
    () => import("@/app/api/v1/pages/[pageId]/takes/route"),
    "POST",
    (w) => ({ params: { pageId: w.pageId }, body: { count: 2 } }),
    v1Edit,
  ),
  route(
    "POST /api/v1/pages/[pageId]/illustrate",
    () => import("@/app/api/v1/pages/[pageId]/illustrate/route"),
    "POST",
    (w) => ({ params: { pageId: w.pageId }, body: {} }),
    v1Edit,
  ),
  route(
    "GET /api/v1/pages/[pageId]/illustrations",
    () => import("@/app/api/v1/pages/[pageId]/illustrations/route"),
    "GET",
    (w) => ({ params: { pageId: w.pageId } }),
    v1Read,
  ),
  route(
    "POST /api/v1/illustrations/[illustrationId]/choose",
    () => import("@/app/api/v1/illustrations/[illustrationId]/choose/route"),
    "POST",
    (w) => ({ params: { illustrationId: w.illustrationId } }),
    v1Edit,
  ),
  route(
    "GET /api/v1/takes/[setId]",
    () => import("@/app/api/v1/takes/[setId]/route"),
    "GET",
    (w) => ({ params: { setId: w.takeSetId } }),
    v1Read,
  ),
  route(
    "POST /api/v1/takes/[setId]/more",
    () => import("@/app/api/v1/takes/[setId]/more/route"),
    "POST",
    (w) => ({ params: { setId: w.takeSetId } }),
    v1Edit,
  ),
  route(
    "POST /api/v1/takes/[setId]/choose",
    () => import("@/app/api/v1/takes/[setId]/choose/route"),
    "POST",
    (w) => ({ params: { setId: w.takeSetId }, body: { takeId: w.takeId } }),
    v1Edit,
  ),
  route(
    "POST /api/v1/takes/[setId]/cancel",
    () => import("@/app/api/v1/takes/[setId]/cancel/route"),
    "POST",
    (w) => ({ params: { setId: w.takeSetId } }),
    v1Edit,
  ),
  route(
    "GET /api/v1/jobs",
    () => import("@/app/api/v1/jobs/route"),
    "GET",
    () => ({ path: "/api/v1/jobs" }),
    v1Read,
  ),
  route(
    "GET /api/v1/jobs/[jobId]",
    () => import("@/app/api/v1/jobs/[jobId]/route"),
    "GET",
    (w) => ({ params: { jobId: w.jobId } }),
    v1Read,
  ),
  route(
    "POST /api/v1/jobs/[jobId]/cancel",
    () => import("@/app/api/v1/jobs/[jobId]/cancel/route"),
    "POST",
    (w) => ({ params: { jobId: w.jobId } }),
    v1Edit,
  ),
  route(
    "POST /api/v1/jobs/[jobId]/retry",
    () => import("@/app/api/v1/jobs/[jobId]/retry/route"),
    "POST",
    (w) => ({ params: { jobId: w.jobId } }),
    v1Edit,
  ),
  route(
    "POST /api/v1/generations/validate",
    () => import("@/app/api/v1/generations/validate/route"),
    "POST",
    (w) => ({ body: { pageId: w.pageId } }),
    v1Edit,
  ),
  route(
    "GET /api/v1/pages/[pageId]/summary",
    () => import("@/app/api/v1/pages/[pageId]/summary/route"),
    "GET",
    (w) => ({ params: { pageId: w.pageId } }),
    v1Read,
  ),
  route(
    "PUT /api/v1/pages/[pageId]/summary",
    () => import("@/app/api/v1/pages/[pageId]/summary/route"),
    "PUT",
    (w) => ({ params: { pageId: w.pageId }, body: { text: "A summary." } }),
    v1Edit,
  ),
  route(
    "DELETE /api/v1/pages/[pageId]/summary",
    () => import("@/app/api/v1/pages/[pageId]/summary/route"),
    "DELETE",
    (w) => ({ params: { pageId: w.pageId } }),
    v1Edit,
  ),
  route(
    "POST /api/v1/stories/[storyId]/summaries/refresh",
    () => import("@/app/api/v1/stories/[storyId]/summaries/refresh/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Edit,
  ),
  route(
    "GET /api/v1/stories/[storyId]/export",
    () => import("@/app/api/v1/stories/[storyId]/export/route"),
    "GET",
    (w) => ({ path: "/api/v1/stories/x/export?format=epub", params: { storyId: w.storyId } }),
    v1Read,
  ),
  route(
    "GET /api/v1/openapi.json",
    () => import("@/app/api/v1/openapi.json/route"),
    "GET",
    () => ({}),
    { anonymous: "ok", authorA: "ok", authorB: "ok", admin: "ok", tokenA: "ok", editor: "ok", reader: "ok" },
  ),
  // ── session routes ──
  route(
    "GET /api/jobs/[jobId]",
    () => import("@/app/api/jobs/[jobId]/route"),
    "GET",
    (w) => ({ params: { jobId: w.jobId } }),
    readRight,
  ),
  route(
    "GET /api/stories/[storyId]/events",
    () => import("@/app/api/stories/[storyId]/events/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    { ...readRight, tokenA: "ok" },
  ),
  route(
    "GET /api/stories/[storyId]/export",
    () => import("@/app/api/stories/[storyId]/export/route"),
    "GET",
    (w) => ({ path: "/api/stories/x/export?format=md&codex=true", params: { storyId: w.storyId } }),
    { ...readRight, tokenA: "ok" },
  ),
  route(
    "GET /api/illustrations/[illustrationId]/image",
    () => import("@/app/api/illustrations/[illustrationId]/image/route"),
    "GET",
    (w) => ({ params: { illustrationId: w.illustrationId } }),
    { anonymous: 401, authorA: "ok", authorB: 404, admin: "ok", tokenA: "ok", editor: "ok", reader: "ok" },
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
    nobody,
  ),
  // Benchmark routes (app/api/bench) exist only with STORY_SPROUT_BENCH_ROUTES=1, never set here: 404 for everyone.
  route(
    "POST /api/bench/plain-stream",
    () => import("@/app/api/bench/plain-stream/route"),
    "POST",
    () => ({ path: "/api/bench/plain-stream", body: { prompt: "x", count: 1 } }),
    nobody,
  ),
  route(
    "GET /api/bench/engine",
    () => import("@/app/api/bench/engine/route"),
    "GET",
    () => ({ path: "/api/bench/engine" }),
    nobody,
  ),
  route(
    "POST /api/bench/engine",
    () => import("@/app/api/bench/engine/route"),
    "POST",
    () => ({ path: "/api/bench/engine", body: { prompt: "x", count: 1 } }),
    nobody,
  ),
  route(
    "POST /api/bench/bare-insert/[pageId]",
    () => import("@/app/api/bench/bare-insert/[pageId]/route"),
    "POST",
    (w) => ({ params: { pageId: w.blankPageId }, body: {} }),
    nobody,
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
    "page /admin/prompts",
    () => import("@/app/(app)/admin/prompts/page") as never,
    () => ({}),
  ),
  page(
    "page /admin/prompts/[family]/[version]",
    () => import("@/app/(app)/admin/prompts/[family]/[version]/page") as never,
    () => ({ family: "page_write", version: "2" }),
  ),
  page(
    "page /admin/usage",
    () => import("@/app/(app)/admin/usage/page") as never,
    () => ({}),
  ),
  page(
    "page /admin/health",
    () => import("@/app/(app)/admin/health/page") as never,
    () => ({}),
  ),
  // Probes for load balancers: public, and they carry counts only (tests/admin/health.test.ts). No engine runs in
  // this file, so readiness answers 503 to everyone alike.
  route(
    "GET /api/health",
    () => import("@/app/api/health/route"),
    "GET",
    () => ({}),
    {
      anonymous: "ok",
      authorA: "ok",
      authorB: "ok",
      admin: "ok",
      tokenA: "ok",
      editor: "ok",
      reader: "ok",
    },
  ),
  route(
    "GET /api/health/ready",
    () => import("@/app/api/health/ready/route"),
    "GET",
    () => ({}),
    {
      anonymous: 503,
      authorA: 503,
      authorB: 503,
      admin: 503,
      tokenA: 503,
      editor: 503,
      reader: 503,
    },
  ),
  page(
    "page /admin/models",
    () => import("@/app/(app)/admin/models/page") as never,
    () => ({}),
  ),
  // ── actions: stories ──
  action("stories.ts", "createStoryAction", () => [{ title: "New" }], signedIn),
  action("stories.ts", "updateStoryAction", (w) => [{ storyId: w.storyId, title: "Renamed" }], editRight),
  action("stories.ts", "deleteStoryAction", (w) => [{ storyId: w.storyId }], manageRight),
  action("stories.ts", "addPageAction", (w) => [{ storyId: w.storyId }], editRight),
  action("stories.ts", "savePageAction", (w) => [{ pageId: w.blankPageId, content: "x", baseVersion: 1 }], editRight),
  action("stories.ts", "movePageAction", (w) => [{ pageId: w.blankPageId, direction: "up" }], editRight),
  action("stories.ts", "deletePageAction", (w) => [{ pageId: w.blankPageId }], editRight),
  action("stories.ts", "undeletePageAction", (w) => [{ pageId: w.blankPageId }], editRight),
  action("stories.ts", "listRevisionsAction", (w) => [{ pageId: w.pageId }], readRight),
  action(
    "stories.ts",
    "restoreRevisionAction",
    (w) => [{ pageId: w.pageId, revisionId: w.revisionId, baseVersion: 2 }],
    editRight,
  ),
  // ── actions: generation ──
  action("generation.ts", "requestPageTextAction", (w) => [{ pageId: w.blankPageId }], editRight),
  action("generation.ts", "cancelPageJobAction", (w) => [{ jobId: w.jobId }], editRight),
  action("generation.ts", "getLatestPageJobAction", (w) => [{ pageId: w.pageId }], readRight),
  action("generation.ts", "listOpenSuggestionsAction", (w) => [{ storyId: w.storyId }], readRight),
  action("generation.ts", "applySuggestionAction", (w) => [{ suggestionId: w.suggestionId }], editRight),
  action("generation.ts", "discardSuggestionAction", (w) => [{ suggestionId: w.suggestionId }], editRight),
  action("generation.ts", "listActivePageJobsAction", (w) => [{ storyId: w.storyId }], readRight),
  action("generation.ts", "undoPageJobAction", (w) => [{ jobId: w.jobId }], editRight),
  action("generation.ts", "checkPageTextRequestAction", (w) => [{ pageId: w.pageId }], editRight),
  action(
    "generation.ts",
    "takeSuggestionParagraphsAction",
    (w) => [{ suggestionId: w.suggestionId, baseVersion: 1, changes: [0] }],
    editRight,
  ),
  // ── actions: takes ──
  action("takes.ts", "requestTakesAction", (w) => [{ pageId: w.pageId, count: 2 }], editRight),
  action("takes.ts", "getOpenTakeSetAction", (w) => [{ pageId: w.pageId }], readRight),
  action("takes.ts", "requestAnotherTakeAction", (w) => [{ setId: w.takeSetId }], editRight),
  action("takes.ts", "chooseTakeAction", (w) => [{ setId: w.takeSetId, takeId: w.takeId }], editRight),
  action("takes.ts", "cancelTakeSetAction", (w) => [{ setId: w.takeSetId }], editRight),
  // ── actions: budgets, tokens ──
  action("budgets.ts", "getAiAllowanceAction", () => [], signedIn),
  action("budgets.ts", "setUserBudgetAction", () => [{ userId: a.id, dailyTokenBudget: "" }], adminOnly),
  action("tokens.ts", "createApiTokenAction", () => [{ name: "matrix" }], signedIn),
  action("tokens.ts", "listApiTokensAction", () => [], signedIn),
  // A token is its owner's alone: admins cannot revoke it either.
  action("tokens.ts", "revokeApiTokenAction", (w) => [{ tokenId: w.tokenId }], {
    ...manageRight,
    admin: 404,
    editor: 404,
    reader: 404,
  }),
  // ── actions: content ratings ──
  action("ratings.ts", "setMyMaxRatingAction", () => [{ maxContentRating: null }], signedIn),
  action("ratings.ts", "setUserMaxRatingAction", () => [{ userId: a.id, maxContentRating: null }], adminOnly),
  action("ratings.ts", "setSiteMaxRatingAction", () => [{ maxContentRating: "explicit" }], adminOnly),
  // ── actions: prompt library (admins) ──
  action(
    "prompts.ts",
    "createPromptDraftAction",
    () => [{ family: "page_summary", body: "New {{ story.title }}" }],
    adminOnly,
  ),
  action(
    "prompts.ts",
    "updatePromptDraftAction",
    (w) => [{ family: "page_summary", version: w.promptDraftVersion, body: "Edited {{ story.title }}" }],
    adminOnly,
  ),
  action(
    "prompts.ts",
    "deletePromptDraftAction",
    (w) => [{ family: "page_summary", version: w.promptDraftVersion }],
    adminOnly,
  ),
  action("prompts.ts", "publishPromptVersionAction", () => [{ family: "page_write", version: 2 }], adminOnly),
  action(
    "prompts.ts",
    "previewPromptAction",
    (w) => [{ family: "page_write", body: "{{ story.title }}", storyId: w.storyId, pageId: w.blankPageId }],
    adminOnly,
  ),
  // ── actions: instruction presets (each user's own; admins cannot touch another's either) ──
  action("presets.ts", "listPresetsAction", () => [], signedIn),
  action(
    "presets.ts",
    "createPresetAction",
    () => [{ label: `New ${crypto.randomUUID()}`.slice(0, 40), instruction: "x" }],
    signedIn,
  ),
  action(
    "presets.ts",
    "updatePresetAction",
    (w) => [{ id: w.presetId, label: `Renamed ${crypto.randomUUID()}`.slice(0, 40), instruction: "y" }],
    { ...asOwner, admin: 404, editor: 404, reader: 404 },
  ),
  action("presets.ts", "deletePresetAction", (w) => [{ id: w.presetId }], {
    ...asOwner,
    admin: 404,
    editor: 404,
    reader: 404,
  }),
  // ── actions: admin jobs ──
  action("admin.ts", "adminRetryJobAction", (w) => [{ jobId: w.jobId }], adminOnly),
  action("admin.ts", "adminCancelJobAction", (w) => [{ jobId: w.jobId }], adminOnly),
  // ── actions: background revisions ──
  action(
    "background.ts",
    "requestBackgroundRevisionAction",
    (w) => [{ storyId: w.storyId, pageIds: [w.pageId], instruction: "brighter" }],
    editRight,
  ),
  action("background.ts", "getBackgroundRevisionAction", (w) => [{ storyId: w.storyId }], readRight),
  action("background.ts", "cancelBackgroundRevisionAction", (w) => [{ jobId: w.backgroundJobId }], editRight),
  action("background.ts", "applyAllSuggestionsAction", (w) => [{ jobId: w.backgroundJobId }], editRight),
  action("background.ts", "discardAllSuggestionsAction", (w) => [{ jobId: w.backgroundJobId }], editRight),
  // ── REST v1: stories, pages, background revisions ──
  route(
    "GET /api/v1/stories",
    () => import("@/app/api/v1/stories/route"),
    "GET",
    () => ({ path: "/api/v1/stories" }),
    v1Read,
  ),
  route(
    "POST /api/v1/stories",
    () => import("@/app/api/v1/stories/route"),
    "POST",
    () => ({ body: { title: "From the API" } }),
    v1Read,
  ),
  route(
    "GET /api/v1/stories/[storyId]",
    () => import("@/app/api/v1/stories/[storyId]/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Read,
  ),
  route(
    "PATCH /api/v1/stories/[storyId]",
    () => import("@/app/api/v1/stories/[storyId]/route"),
    "PATCH",
    (w) => ({ params: { storyId: w.storyId }, body: { title: "Renamed" } }),
    v1Edit,
  ),
  route(
    "DELETE /api/v1/stories/[storyId]",
    () => import("@/app/api/v1/stories/[storyId]/route"),
    "DELETE",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Manage,
  ),
  route(
    "GET /api/v1/stories/[storyId]/pages",
    () => import("@/app/api/v1/stories/[storyId]/pages/route"),
    "GET",
    (w) => ({ path: "/api/v1/stories/x/pages", params: { storyId: w.storyId } }),
    v1Read,
  ),
  route(
    "POST /api/v1/stories/[storyId]/pages",
    () => import("@/app/api/v1/stories/[storyId]/pages/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId }, body: { afterPageId: w.pageId, content: "New." } }),
    v1Edit,
  ),
  route(
    "GET /api/v1/pages/[pageId]",
    () => import("@/app/api/v1/pages/[pageId]/route"),
    "GET",
    (w) => ({ params: { pageId: w.pageId } }),
    v1Read,
  ),
  route(
    "PATCH /api/v1/pages/[pageId]",
    () => import("@/app/api/v1/pages/[pageId]/route"),
    "PATCH",
    (w) => ({ params: { pageId: w.blankPageId }, body: { content: "Written.", baseVersion: 1 } }),
    v1Edit,
  ),
  route(
    "DELETE /api/v1/pages/[pageId]",
    () => import("@/app/api/v1/pages/[pageId]/route"),
    "DELETE",
    (w) => ({ params: { pageId: w.blankPageId } }),
    v1Edit,
  ),
  route(
    "POST /api/v1/pages/[pageId]/move",
    () => import("@/app/api/v1/pages/[pageId]/move/route"),
    "POST",
    (w) => ({ params: { pageId: w.blankPageId }, body: { afterPageId: null } }),
    v1Edit,
  ),
  route(
    "POST /api/v1/stories/[storyId]/revisions",
    () => import("@/app/api/v1/stories/[storyId]/revisions/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId }, body: { pageIds: [w.pageId], instruction: "warmer" } }),
    v1Edit,
  ),
  // ── page illustrations ──
  action("illustrations.ts", "requestIllustrationAction", (w) => [{ pageId: w.pageId }], editRight),
  action("illustrations.ts", "listPageIllustrationsAction", (w) => [{ pageId: w.pageId }], readRight),
  action("illustrations.ts", "chooseIllustrationAction", (w) => [{ illustrationId: w.illustrationId }], editRight),
  action("illustrations.ts", "cancelIllustrationAction", (w) => [{ pageId: w.pageId }], editRight),
  action("illustrations.ts", "illustrateAfterTextAction", (w) => [{ pageId: w.pageId, jobId: w.jobId }], editRight),
  // ── the story codex: REST v1 and actions ──
  route(
    "GET /api/v1/stories/[storyId]/codex",
    () => import("@/app/api/v1/stories/[storyId]/codex/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Read,
  ),
  route(
    "POST /api/v1/stories/[storyId]/codex",
    () => import("@/app/api/v1/stories/[storyId]/codex/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId }, body: { kind: "thing", name: `Lamp ${crypto.randomUUID()}` } }),
    v1Edit,
  ),
  route(
    "PATCH /api/v1/codex/[entryId]",
    () => import("@/app/api/v1/codex/[entryId]/route"),
    "PATCH",
    (w) => ({ params: { entryId: w.codexEntryId }, body: { baseVersion: 1, description: "Changed." } }),
    v1Edit,
  ),
  route(
    "DELETE /api/v1/codex/[entryId]",
    () => import("@/app/api/v1/codex/[entryId]/route"),
    "DELETE",
    (w) => ({ params: { entryId: w.codexEntryId } }),
    v1Edit,
  ),
  route(
    "POST /api/v1/stories/[storyId]/codex/suggest",
    () => import("@/app/api/v1/stories/[storyId]/codex/suggest/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Edit,
  ),
  route(
    "GET /api/v1/stories/[storyId]/codex/suggest",
    () => import("@/app/api/v1/stories/[storyId]/codex/suggest/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Read,
  ),
  route(
    "GET /api/v1/stories/[storyId]/codex/suggestions",
    () => import("@/app/api/v1/stories/[storyId]/codex/suggestions/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Read,
  ),
  route(
    "POST /api/v1/codex-suggestions/[suggestionId]/accept",
    () => import("@/app/api/v1/codex-suggestions/[suggestionId]/accept/route"),
    "POST",
    (w) => ({ params: { suggestionId: w.codexSuggestionId } }),
    v1Edit,
  ),
  route(
    "POST /api/v1/codex-suggestions/[suggestionId]/reject",
    () => import("@/app/api/v1/codex-suggestions/[suggestionId]/reject/route"),
    "POST",
    (w) => ({ params: { suggestionId: w.codexSuggestionId } }),
    v1Edit,
  ),
  action("codex.ts", "listCodexAction", (w) => [{ storyId: w.storyId }], readRight),
  action(
    "codex.ts",
    "createCodexEntryAction",
    (w) => [{ storyId: w.storyId, kind: "thing", name: `Lamp ${crypto.randomUUID()}` }],
    editRight,
  ),
  action(
    "codex.ts",
    "updateCodexEntryAction",
    (w) => [{ entryId: w.codexEntryId, baseVersion: 1, description: "Changed." }],
    editRight,
  ),
  action("codex.ts", "deleteCodexEntryAction", (w) => [{ entryId: w.codexEntryId }], editRight),
  action("codex.ts", "requestCodexSuggestionsAction", (w) => [{ storyId: w.storyId }], editRight),
  action("codex.ts", "getCodexSuggestRunAction", (w) => [{ storyId: w.storyId }], readRight),
  action("codex.ts", "cancelCodexSuggestRunAction", (w) => [{ jobId: w.codexSuggestJobId }], editRight),
  action("codex.ts", "listCodexSuggestionsAction", (w) => [{ storyId: w.storyId }], readRight),
  action("codex.ts", "acceptCodexSuggestionAction", (w) => [{ suggestionId: w.codexSuggestionId }], editRight),
  action("codex.ts", "rejectCodexSuggestionAction", (w) => [{ suggestionId: w.codexSuggestionId }], editRight),
  // ── actions: page summaries ──
  action("summaries.ts", "getPageSummaryAction", (w) => [{ pageId: w.pageId }], readRight),
  action("summaries.ts", "pinPageSummaryAction", (w) => [{ pageId: w.pageId, text: "Mine." }], editRight),
  action("summaries.ts", "unpinPageSummaryAction", (w) => [{ pageId: w.pageId }], editRight),
  action("summaries.ts", "requestSummarizeAllAction", (w) => [{ storyId: w.storyId }], editRight),
  action("summaries.ts", "getSummarizeAllAction", (w) => [{ storyId: w.storyId }], readRight),
  // ── co-authors: REST v1 and actions ──
  route(
    "GET /api/v1/stories/[storyId]/members",
    () => import("@/app/api/v1/stories/[storyId]/members/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Read,
  ),
  route(
    "POST /api/v1/stories/[storyId]/members",
    () => import("@/app/api/v1/stories/[storyId]/members/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId }, body: { email: "new-member@example.com", role: "reader" } }),
    v1Manage,
  ),
  route(
    "PATCH /api/v1/stories/[storyId]/members/[userId]",
    () => import("@/app/api/v1/stories/[storyId]/members/[userId]/route"),
    "PATCH",
    (w) => ({ params: { storyId: w.storyId, userId: reader.id }, body: { role: "editor" } }),
    v1Manage,
  ),
  // The reader's own id: for the reader that is leaving, which any member may do.
  route(
    "DELETE /api/v1/stories/[storyId]/members/[userId]",
    () => import("@/app/api/v1/stories/[storyId]/members/[userId]/route"),
    "DELETE",
    (w) => ({ params: { storyId: w.storyId, userId: reader.id } }),
    { ...v1Manage, reader: "ok" },
  ),
  // Leaving: members leave; the owner is told to transfer first (400); A's token is the owner's.
  route(
    "POST /api/v1/stories/[storyId]/leave",
    () => import("@/app/api/v1/stories/[storyId]/leave/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId } }),
    { ...v1Read, tokenA: 400 },
  ),
  route(
    "POST /api/v1/stories/[storyId]/transfer",
    () => import("@/app/api/v1/stories/[storyId]/transfer/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId }, body: { userId: editor.id } }),
    v1Manage,
  ),
  // Every caller's own invitations: none of the token holders has one waiting, which is an empty list, not an error.
  route(
    "GET /api/v1/invitations",
    () => import("@/app/api/v1/invitations/route"),
    "GET",
    () => ({}),
    v1Read,
  ),
  // The world's invitation is addressed to B, who holds no token here: to every token it does not exist (the
  // addressee's own accept and decline: tests/api/members.test.ts).
  route(
    "POST /api/v1/invitations/[invitationId]/accept",
    () => import("@/app/api/v1/invitations/[invitationId]/accept/route"),
    "POST",
    (w) => ({ params: { invitationId: w.invitationId } }),
    { ...v1Base, tokenA: 404, editor: 404, reader: 404 },
  ),
  route(
    "POST /api/v1/invitations/[invitationId]/decline",
    () => import("@/app/api/v1/invitations/[invitationId]/decline/route"),
    "POST",
    (w) => ({ params: { invitationId: w.invitationId } }),
    { ...v1Base, tokenA: 404, editor: 404, reader: 404 },
  ),
  action("members.ts", "listMembersAction", (w) => [{ storyId: w.storyId }], readRight),
  action(
    "members.ts",
    "inviteMemberAction",
    (w) => [{ storyId: w.storyId, email: "new-member@example.com", role: "editor" }],
    manageRight,
  ),
  action(
    "members.ts",
    "cancelInvitationAction",
    (w) => [{ storyId: w.storyId, invitationId: w.invitationId }],
    manageRight,
  ),
  action(
    "members.ts",
    "changeMemberRoleAction",
    (w) => [{ storyId: w.storyId, userId: reader.id, role: "editor" }],
    manageRight,
  ),
  action("members.ts", "removeMemberAction", (w) => [{ storyId: w.storyId, userId: reader.id }], {
    ...manageRight,
    reader: "ok",
  }),
  // Members leave; the owner cannot (400: transfer first); a non-member, the admin included, finds nothing to leave.
  action("members.ts", "leaveStoryAction", (w) => [{ storyId: w.storyId }], {
    ...readRight,
    authorA: 400,
    admin: 404,
  }),
  action("members.ts", "transferOwnershipAction", (w) => [{ storyId: w.storyId, userId: editor.id }], manageRight),
  action("members.ts", "listMyInvitationsAction", () => [], signedIn),
  // The world's invitation is addressed to B: only B may answer it; to anyone else it does not exist.
  action("members.ts", "acceptInvitationAction", (w) => [{ invitationId: w.invitationId }], {
    ...adminOnly,
    authorB: "ok",
    admin: 404,
  }),
  action("members.ts", "declineInvitationAction", (w) => [{ invitationId: w.invitationId }], {
    ...adminOnly,
    authorB: "ok",
    admin: 404,
  }),
  // ── translations ──
  route(
    "POST /api/v1/stories/[storyId]/translations",
    () => import("@/app/api/v1/stories/[storyId]/translations/route"),
    "POST",
    (w) => ({ params: { storyId: w.storyId }, body: { language: "de" } }),
    v1Edit,
  ),
  route(
    "GET /api/v1/stories/[storyId]/translations",
    () => import("@/app/api/v1/stories/[storyId]/translations/route"),
    "GET",
    (w) => ({ params: { storyId: w.storyId } }),
    v1Read,
  ),
  route(
    "POST /api/v1/translations/[translationId]/update",
    () => import("@/app/api/v1/translations/[translationId]/update/route"),
    "POST",
    (w) => ({ params: { translationId: w.translationId } }),
    // A translation's members are its source's: the source's editor updates it, its reader may not.
    v1Edit,
  ),
  action("translations.ts", "translateStoryAction", (w) => [{ storyId: w.storyId, language: "de" }], editRight),
  action("translations.ts", "updateTranslationAction", (w) => [{ translationId: w.translationId }], editRight),
  action("translations.ts", "listTranslationsAction", (w) => [{ storyId: w.storyId }], readRight),
  action("translations.ts", "cancelTranslationAction", (w) => [{ translationId: w.translationId }], editRight),
  action("translations.ts", "getTranslationPairAction", (w) => [{ translationId: w.translationId }], readRight),
  action(
    "translations.ts",
    "setCodexNameTranslationAction",
    (w) => [{ entryId: w.codexEntryId, language: "fr", name: "Marée" }],
    editRight,
  ),
  // ── import: any signed-in user imports into a story of their own; an import is read by its author (and admins) ──
  // The upload helper sends only A's token: the members' sessions alone are refused on v1 like anyone's.
  importUpload("POST /api/v1/stories/import", () => import("@/app/api/v1/stories/import/route"), {
    ...v1Base,
    editor: 401,
    reader: 401,
  }),
  importUpload("POST /api/stories/import", () => import("@/app/api/stories/import/route"), signedIn),
  action("import.ts", "getImportAction", (w) => [{ importId: w.importId }], { ...asOwner, editor: 404, reader: 404 }),
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
  const bUser = await makeActor();
  b = bUser;
  bEmail = bUser.email;
  admin = await makeActor("admin");
  editor = await makeActor();
  reader = await makeActor();
  const { createApiToken } = await import("@/lib/auth/api-tokens");
  tokenA = (await createApiToken(a, { name: "A" })).secret;
  tokenB = (await createApiToken(b, { name: "B" })).secret;
  tokenAdmin = (await createApiToken(admin, { name: "admin" })).secret;
  tokenEditor = (await createApiToken(editor, { name: "editor" })).secret;
  tokenReader = (await createApiToken(reader, { name: "reader" })).secret;
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
    // An import reads by id like a job: its author and admins only.
    expect((await callRoute(jobRoute.GET, { token: tokenA, params: { jobId: w.importId } })).status).toBe(200);
    expect((await callRoute(jobRoute.GET, { token: tokenB, params: { jobId: w.importId } })).status).toBe(404);
    expect((await callRoute(jobRoute.GET, { token: tokenAdmin, params: { jobId: w.importId } })).status).toBe(200);
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

  it("stories and pages on v1: B's token gets 404 for A's story and pages (and never lists them), the admin's 200", async () => {
    const w = await makeWorld();
    const storyRoute = await import("@/app/api/v1/stories/[storyId]/route");
    const pagesRoute = await import("@/app/api/v1/stories/[storyId]/pages/route");
    const pageRoute = await import("@/app/api/v1/pages/[pageId]/route");
    const moveRoute = await import("@/app/api/v1/pages/[pageId]/move/route");
    const revisionsRoute = await import("@/app/api/v1/stories/[storyId]/revisions/route");
    const listRoute = await import("@/app/api/v1/stories/route");
    const story = { params: { storyId: w.storyId } };
    const page = { params: { pageId: w.blankPageId } };
    const calls: [unknown, string, { params: Record<string, string>; body?: unknown }][] = [
      [storyRoute.GET, "GET", story],
      [storyRoute.PATCH, "PATCH", { ...story, body: { title: "Renamed" } }],
      [pagesRoute.GET, "GET", story],
      [pagesRoute.POST, "POST", { ...story, body: {} }],
      [pageRoute.GET, "GET", page],
      [pageRoute.PATCH, "PATCH", { ...page, body: { content: "B's", baseVersion: 1 } }],
      [moveRoute.POST, "POST", { ...page, body: { afterPageId: null } }],
      [revisionsRoute.POST, "POST", { ...story, body: { pageIds: [w.pageId], instruction: "x" } }],
      [pageRoute.DELETE, "DELETE", page],
      [storyRoute.DELETE, "DELETE", story],
    ];
    for (const [handler, method, options] of calls)
      expect((await callRoute(handler, { method, ...options, token: tokenB })).status, `${method} as B`).toBe(404);
    const listed = await callRoute<{ stories: { id: string }[] }>(listRoute.GET, {
      token: tokenB,
      path: "/api/v1/stories?limit=100",
    });
    expect(listed.body.stories.map((s) => s.id)).not.toContain(w.storyId);
    for (const [handler, method, options] of calls)
      expect(
        (await callRoute(handler, { method, ...options, token: tokenAdmin })).status,
        `${method} as admin`,
      ).toBeLessThan(300);
  });
});
