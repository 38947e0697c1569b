import fs from "node:fs/promises";
import path from "node:path";
import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { type PromptVersion, promptVersions } from "@/db/prompts-schema";
import { pages, stories, users } from "@/db/schema";
import {
  checkLiquidSyntax,
  countTokens,
  isSectionedPayload,
  sectionVariables,
  type LiquidProblem,
  listPromptVersions,
  readBuiltinTemplates,
  renderAdminBody,
  renderTemplate,
  resolveModel,
  resolveTemplate,
  tokenCountingFor,
} from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { diffWords, type DiffPart } from "@/lib/text/diff";
import { requireAdmin } from "./access";
import type { Actor } from "./actor";
import { buildPagePayload, loadPagePromptInput } from "./page-job-input";
import { idField, parseInput } from "./validation";

/**
 * The admin prompt library (/admin/prompts). Every function starts with requireAdmin: anyone else gets NOT_FOUND.
 * Versions are immutable once published (a rollback publishes an older one; nothing edits a text a job may have
 * used); only an admin's draft that no job used can be edited or deleted.
 */

export const PROMPT_BODY_MAX = 50_000;
const familyField = z.string().regex(/^[a-z][a-z0-9_]*$/, "Not a template family.");
const versionNumber = z.number().int().min(1).max(2_147_483_647);
const bodyField = z
  .string()
  .min(1, "A template cannot be empty.")
  .max(PROMPT_BODY_MAX, `A template can be at most ${PROMPT_BODY_MAX} characters.`);

export interface PromptVersionView {
  family: string;
  version: number;
  status: PromptVersion["status"];
  source: PromptVersion["source"];
  description: string;
  authorEmail: string | null;
  basedOnVersion: number | null;
  createdAt: string;
  publishedAt: string | null;
  /** Jobs that recorded this version: while any does, its text can never change. */
  jobCount: number;
}

export interface PromptFamilyView {
  family: string;
  description: string;
  published: number | null;
  versions: PromptVersionView[];
}

async function jobCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .select({ key: aiJobs.templateKey, version: aiJobs.templateVersion, n: count() })
    .from(aiJobs)
    .groupBy(aiJobs.templateKey, aiJobs.templateVersion);
  return new Map(rows.map((r) => [`${r.key}@${r.version}`, Number(r.n)]));
}

async function versionRows(db: Db): Promise<(PromptVersion & { authorEmail: string | null })[]> {
  const rows = await listPromptVersions(db);
  const authors = await db.select({ id: users.id, email: users.email }).from(users);
  const email = new Map(authors.map((a) => [a.id, a.email]));
  return rows.map((r) => ({ ...r, authorEmail: r.authorId ? (email.get(r.authorId) ?? null) : null }));
}

function toView(row: PromptVersion & { authorEmail: string | null }, counts: Map<string, number>): PromptVersionView {
  return {
    family: row.family,
    version: row.version,
    status: row.status,
    source: row.source,
    description: row.description,
    authorEmail: row.authorEmail,
    basedOnVersion: row.basedOnVersion,
    createdAt: row.createdAt.toISOString(),
    publishedAt: row.publishedAt?.toISOString() ?? null,
    jobCount: counts.get(`${row.family}@${row.version}`) ?? 0,
  };
}

export async function listPromptFamilies(actorOrNull: Actor | null): Promise<PromptFamilyView[]> {
  requireAdmin(actorOrNull);
  const db = await getDb();
  const [rows, counts] = await Promise.all([versionRows(db), jobCounts(db)]);
  const families = new Map<string, PromptFamilyView>();
  for (const row of rows) {
    let family = families.get(row.family);
    if (!family) {
      family = { family: row.family, description: "", published: null, versions: [] };
      families.set(row.family, family);
    }
    family.versions.push(toView(row, counts));
    if (row.status === "published") {
      family.published = row.version;
      family.description = row.description;
    }
    if (!family.description) family.description = row.description;
  }
  return [...families.values()].sort((a, b) => a.family.localeCompare(b.family));
}

async function findVersion(db: Db, family: string, version: number): Promise<PromptVersion> {
  const [row] = await db
    .select()
    .from(promptVersions)
    .where(and(eq(promptVersions.family, family), eq(promptVersions.version, version)));
  if (!row) throw new AppError("NOT_FOUND", `There is no version ${version} of ${family}.`);
  return row;
}

async function publishedOf(db: Db, family: string): Promise<PromptVersion | null> {
  const [row] = await db
    .select()
    .from(promptVersions)
    .where(and(eq(promptVersions.family, family), eq(promptVersions.status, "published")));
  return row ?? null;
}

export interface PromptVersionDetail {
  version: PromptVersionView;
  body: string;
  published: { version: number; body: string } | null;
  /** From the published version to this one (empty when this is the published one). */
  diff: DiffPart[];
  /** Stories to preview against (most recently changed first). */
  stories: { id: string; title: string; pages: { id: string; number: number }[] }[];
}

const versionRefSchema = z.object({ family: familyField, version: versionNumber });

export async function getPromptVersion(actorOrNull: Actor | null, input: unknown): Promise<PromptVersionDetail> {
  requireAdmin(actorOrNull);
  const { family, version } = parseInput(versionRefSchema, input);
  const db = await getDb();
  const row = await findVersion(db, family, version);
  const [author] = row.authorId
    ? await db.select({ email: users.email }).from(users).where(eq(users.id, row.authorId))
    : [];
  const published = await publishedOf(db, family);
  const storyRows = await db
    .select({ id: stories.id, title: stories.title })
    .from(stories)
    .orderBy(desc(stories.updatedAt))
    .limit(50);
  const pageRows = storyRows.length
    ? await db
        .select({ id: pages.id, storyId: pages.storyId, position: pages.position })
        .from(pages)
        .where(and(isNull(pages.deletedAt), sql`${pages.storyId} in ${storyRows.map((s) => s.id)}`))
        .orderBy(pages.position)
    : [];
  return {
    version: toView({ ...row, authorEmail: author?.email ?? null }, await jobCounts(db)),
    body: row.body,
    published: published ? { version: published.version, body: published.body } : null,
    diff: published && published.version !== row.version ? diffWords(published.body, row.body) : [],
    stories: storyRows.map((s) => ({
      id: s.id,
      title: s.title,
      pages: pageRows.filter((p) => p.storyId === s.id).map((p, i) => ({ id: p.id, number: i + 1 })),
    })),
  };
}

/** A Liquid problem as the VALIDATION error a form shows: the field, the line and the column. */
function liquidError(problem: LiquidProblem, what: string): AppError {
  const where = problem.line ? ` (line ${problem.line}${problem.column ? `, column ${problem.column}` : ""})` : "";
  return new AppError("VALIDATION", `${what}${where}: ${problem.message}`, {
    field: "body",
    line: problem.line,
    column: problem.column,
  });
}

/**
 * A recorded payload as a template sees it: a sectioned revision's payload gives its first section's variables; an
 * empty one (a job recorded without variables) is no sample.
 */
function variablesOf(payload: unknown): Record<string, unknown> | null {
  if (isSectionedPayload(payload)) return sectionVariables(payload, 0);
  if (typeof payload !== "object" || payload === null || Object.keys(payload).length === 0) return null;
  return payload as Record<string, unknown>;
}

/**
 * Payloads a new version must render against without an error (a missing variable is one): a recent job's recorded
 * payload, and the regression fixtures of the family when the repository's tests are present.
 */
async function samplePayloads(db: Db, family: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  // A recent job's payload that the published version renders: fan-out parents and hand-made rows record other shapes.
  const recent = await db
    .select({ payload: aiJobs.promptPayload })
    .from(aiJobs)
    .where(eq(aiJobs.templateKey, family))
    .orderBy(desc(aiJobs.createdAt))
    .limit(5);
  const published = await resolveTemplate(family);
  for (const job of recent) {
    const variables = variablesOf(job.payload);
    if (
      variables &&
      (await renderTemplate(published, variables).then(
        () => true,
        () => false,
      ))
    ) {
      out.push(variables);
      break;
    }
  }
  const dir = path.join(process.cwd(), "tests", "fixtures", "prompts");
  let names: string[] = [];
  try {
    names = await fs.readdir(dir);
  } catch {
    // No fixtures on this server (a deployment without the tests): the recorded job payload is the check.
  }
  for (const name of names.filter((n) => n.startsWith(`${family}.`) && n.endsWith(".json")).sort()) {
    const fixture = JSON.parse(await fs.readFile(path.join(dir, name), "utf8")) as { payload: Record<string, unknown> };
    out.push(fixture.payload);
  }
  return out;
}

async function assertRenders(db: Db, family: string, body: string): Promise<void> {
  const syntax = checkLiquidSyntax(body);
  if (syntax) throw liquidError(syntax, "Liquid syntax error");
  for (const payload of await samplePayloads(db, family)) {
    const rendered = await renderAdminBody(body, payload);
    if (!rendered.ok) throw liquidError(rendered.problem, "The template does not render");
  }
}

async function assertKnownFamily(db: Db, family: string): Promise<void> {
  const [row] = await db
    .select({ id: promptVersions.id })
    .from(promptVersions)
    .where(eq(promptVersions.family, family))
    .limit(1);
  if (row) return;
  const builtin = await readBuiltinTemplates();
  if (!builtin.some((t) => t.key === family)) throw new AppError("NOT_FOUND", `There is no template family ${family}.`);
}

const draftSchema = z.object({
  family: familyField,
  body: bodyField,
  description: z.string().trim().max(300, "A description can be at most 300 characters.").optional(),
  basedOnVersion: versionNumber.optional(),
});

/** Saves an edit as a new draft version (the next number of its family). Invalid Liquid: nothing saved. */
export async function createPromptDraft(actorOrNull: Actor | null, input: unknown): Promise<PromptVersionView> {
  const actor = requireAdmin(actorOrNull);
  const { family, body, description, basedOnVersion } = parseInput(draftSchema, input);
  const db = await getDb();
  await assertKnownFamily(db, family);
  await assertRenders(db, family, body);
  const base =
    basedOnVersion !== undefined ? await findVersion(db, family, basedOnVersion) : await publishedOf(db, family);
  const row = await db.transaction(async (tx) => {
    // The next number of the family, taken under a lock so two admins saving at once get two numbers.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`prompt_versions:${family}`}))`);
    const [{ next }] = (await tx
      .select({ next: sql<number>`coalesce(max(${promptVersions.version}), 0) + 1` })
      .from(promptVersions)
      .where(eq(promptVersions.family, family))) as [{ next: number }];
    const [inserted] = await tx
      .insert(promptVersions)
      .values({
        family,
        version: Number(next),
        body,
        description: description ?? base?.description ?? "",
        status: "draft",
        source: "admin",
        authorId: actor.id,
        basedOnVersion: base?.version ?? null,
      })
      .returning();
    return inserted!;
  });
  return toView({ ...row, authorEmail: null }, new Map());
}

async function jobsUsing(db: Db, family: string, version: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(aiJobs)
    .where(and(eq(aiJobs.templateKey, family), eq(aiJobs.templateVersion, version)));
  return Number(row?.n ?? 0);
}

/** Why a version's text may not change or go: never published, an admin's, and no job recorded it. */
async function assertEditable(db: Db, row: PromptVersion, what: string): Promise<void> {
  if (row.source === "builtin") {
    throw new AppError("FORBIDDEN", `A built-in version cannot be ${what}: save your edit as a new draft.`);
  }
  if (row.status !== "draft") {
    throw new AppError(
      "FORBIDDEN",
      `Version ${row.version} has been published and cannot be ${what}: save your edit as a new draft.`,
    );
  }
  if ((await jobsUsing(db, row.family, row.version)) > 0) {
    throw new AppError("FORBIDDEN", `Version ${row.version} is recorded by a job and cannot be ${what}.`);
  }
}

const updateSchema = z.object({ family: familyField, version: versionNumber, body: bodyField });

/** Changes a draft's text in place (only a draft no job used). */
export async function updatePromptDraft(actorOrNull: Actor | null, input: unknown): Promise<PromptVersionView> {
  requireAdmin(actorOrNull);
  const { family, version, body } = parseInput(updateSchema, input);
  const db = await getDb();
  const row = await findVersion(db, family, version);
  await assertEditable(db, row, "changed");
  await assertRenders(db, family, body);
  const [updated] = await db
    .update(promptVersions)
    .set({ body, updatedAt: new Date() })
    .where(and(eq(promptVersions.id, row.id), eq(promptVersions.status, "draft")))
    .returning();
  if (!updated)
    throw new AppError("CONFLICT", `Version ${version} was published meanwhile; save your edit as a new draft.`);
  return toView({ ...updated, authorEmail: null }, new Map());
}

export async function deletePromptDraft(actorOrNull: Actor | null, input: unknown): Promise<{ deleted: true }> {
  requireAdmin(actorOrNull);
  const { family, version } = parseInput(versionRefSchema, input);
  const db = await getDb();
  const row = await findVersion(db, family, version);
  await assertEditable(db, row, "deleted");
  await db.delete(promptVersions).where(and(eq(promptVersions.id, row.id), eq(promptVersions.status, "draft")));
  return { deleted: true };
}

/**
 * Makes a version the one new jobs use. Publishing an older version is the rollback: the one published until now is
 * archived (its text unchanged), and running jobs keep the version they recorded.
 */
export async function publishPromptVersion(actorOrNull: Actor | null, input: unknown): Promise<PromptVersionView> {
  requireAdmin(actorOrNull);
  const { family, version } = parseInput(versionRefSchema, input);
  const db = await getDb();
  const row = await findVersion(db, family, version);
  const syntax = checkLiquidSyntax(row.body);
  if (syntax) throw liquidError(syntax, "Liquid syntax error");
  const published = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`prompt_versions:${family}`}))`);
    const now = new Date();
    await tx
      .update(promptVersions)
      .set({ status: "archived", updatedAt: now })
      .where(and(eq(promptVersions.family, family), eq(promptVersions.status, "published")));
    const [updated] = await tx
      .update(promptVersions)
      .set({ status: "published", publishedAt: now, updatedAt: now })
      .where(eq(promptVersions.id, row.id))
      .returning();
    return updated!;
  });
  return toView({ ...published, authorEmail: null }, await jobCounts(db));
}

const previewSchema = z.object({
  family: familyField,
  body: bodyField,
  storyId: idField,
  pageId: idField.optional(),
  instruction: z.string().max(500).optional(),
});

export type PromptPreview =
  | { ok: true; text: string; tokens: number; payloadFrom: string }
  | { ok: false; message: string; line: number | null };

/**
 * Renders a template text against a story: for page_write / page_revise the payload is assembled for the chosen page
 * exactly as Generate would; for other families it is the payload of that story's most recent job of the family.
 */
export async function previewPromptBody(actorOrNull: Actor | null, input: unknown): Promise<PromptPreview> {
  requireAdmin(actorOrNull);
  const { family, body, storyId, pageId, instruction } = parseInput(previewSchema, input);
  const db = await getDb();
  const syntax = checkLiquidSyntax(body);
  if (syntax) return { ok: false, message: syntax.message, line: syntax.line };
  const [story] = await db.select().from(stories).where(eq(stories.id, storyId));
  if (!story) throw new AppError("NOT_FOUND", "We couldn't find that story.");
  let payload: Record<string, unknown>;
  let payloadFrom: string;
  if ((family === "page_write" || family === "page_revise") && pageId) {
    const { ordered, memory } = await loadPagePromptInput(db, story.id);
    if (!ordered.some((p) => p.id === pageId)) throw new AppError("NOT_FOUND", "We couldn't find that page.");
    const model = resolveModel();
    const built = buildPagePayload({
      story,
      ordered,
      memory,
      pageId,
      mode: family === "page_write" ? "write" : "revise",
      instruction: instruction ?? "",
      templateBody: body,
      budgetTokens: model.inputBudgetTokens,
      counting: tokenCountingFor(model),
    });
    payload = built.payload as unknown as Record<string, unknown>;
    payloadFrom = `page ${ordered.findIndex((p) => p.id === pageId) + 1} of “${story.title}”, as Generate would assemble it`;
  } else {
    const [job] = await db
      .select({ id: aiJobs.id, payload: aiJobs.promptPayload })
      .from(aiJobs)
      .where(and(eq(aiJobs.templateKey, family), eq(aiJobs.scopeId, story.id)))
      .orderBy(desc(aiJobs.createdAt))
      .limit(1);
    if (!job) {
      return {
        ok: false,
        message: `“${story.title}” has no ${family} job yet to take the variables from; choose another story${family.startsWith("page_") ? " and a page" : ""}.`,
        line: null,
      };
    }
    const variables = variablesOf(job.payload);
    if (!variables) return { ok: false, message: `Job ${job.id} recorded no variables to preview with.`, line: null };
    payload = variables;
    payloadFrom = `the variables of job ${job.id}`;
  }
  const rendered = await renderAdminBody(body, payload);
  if (!rendered.ok) return { ok: false, message: rendered.problem.message, line: rendered.problem.line };
  return { ok: true, text: rendered.text, tokens: countTokens(rendered.text), payloadFrom };
}
