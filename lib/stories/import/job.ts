import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import { storyMembers } from "@/db/schema";
import { ownerMemberRow } from "../members";
import { generateNKeysBetween } from "fractional-indexing";
import { z } from "zod";
import { getDb } from "@/db";
import { storyImportPages, storyImports, type ImportFormat, type StoryImport } from "@/db/import-schema";
import { pageRevisions, pages, stories } from "@/db/schema";
import { countTokens } from "@/lib/ai";
import { AppError, errorCatalog, isAppError, type ErrorCode } from "@/lib/errors";
import { inngest } from "@/lib/inngest/client";
import { processEngine } from "@/lib/inngest/embedded";
import { importRequested } from "@/lib/inngest/events/import-requested";
import { inngestMode } from "@/lib/inngest/mode";
import { log } from "@/lib/log";
import { isAdmin } from "../access";
import { requireActor, type Actor } from "../actor";
import { limits } from "../limits";
import { announcePageTextChanged } from "../summaries/schedule";
import { idField, parseInput } from "../validation";
import { checkDocxArchive } from "./docx";
import { readManuscript, storyFields } from "./parse";
import { importOptionsSchema, type ImportOptions } from "./schema";
import { checkImportFile, decodeText, type ImportFile } from "./sniff";
import { splitManuscript } from "./split";

export const IMPORT_JOB_TYPE = "story.import" as const;
/** Staged pages are written this many at a time, progress updated after each batch. */
const STAGE_BATCH = 25;
const PREVIEW_PAGES = 100;
const PREVIEW_LINES_CHARS = 200;

export interface ImportPreview {
  format: ImportFormat;
  title: string;
  description: string;
  pageCount: number;
  /** Pages cut again because the chosen split left them over the page limit. */
  splitFurther: number;
  /** The first pages (at most 100): their number, length and opening lines. */
  pages: { number: number; characters: number; firstLines: string }[];
}

export interface ImportJobView {
  id: string;
  jobType: typeof IMPORT_JOB_TYPE;
  status: StoryImport["status"];
  fileName: string;
  format: ImportFormat;
  options: ImportOptions;
  /** Pages the manuscript makes (null until it has been read). */
  pagesTotal: number | null;
  pagesStaged: number;
  /** The new story, once the import succeeded. */
  storyId: string | null;
  error: { code: string; message: string } | null;
  createdAt: string;
  completedAt: string | null;
}

const fileSchema = z.object({
  name: z.string().trim().min(1, "Choose a file.").max(255),
  bytes: z.instanceof(Buffer),
});

/** The checked file and options of an import request (the file is checked apart: its bytes are not text). */
function parseRequest(input: { file: unknown; options: unknown }): { file: ImportFile; options: ImportOptions } {
  const file = fileSchema.safeParse(input.file);
  if (!file.success) throw new AppError("VALIDATION", "Choose a file to import.", { fields: { file: "Required." } });
  return { file: file.data, options: parseInput(importOptionsSchema, input.options ?? {}) };
}

async function splitFile(format: ImportFormat, file: ImportFile, options: ImportOptions) {
  const manuscript = await readManuscript(format, file.bytes);
  const fields = storyFields(manuscript, file.name);
  const split = splitManuscript(manuscript.blocks, options);
  if (split.pages.length > limits.importPagesMax) {
    throw new AppError(
      "IMPORT_TOO_MANY_PAGES",
      `This split makes ${split.pages.length} pages; a story imports at most ${limits.importPagesMax}. Choose a longer target length or another split.`,
      { pages: split.pages.length, limit: limits.importPagesMax },
    );
  }
  return { ...fields, ...split };
}

const firstLines = (text: string) => {
  const lines = text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(0, 3)
    .join("\n");
  return lines.length > PREVIEW_LINES_CHARS ? `${lines.slice(0, PREVIEW_LINES_CHARS)}…` : lines;
};

/** The split the author would get, without creating anything (any signed-in user: an import makes their own story). */
export async function previewImport(
  actorOrNull: Actor | null,
  input: { file: unknown; options: unknown },
): Promise<ImportPreview> {
  requireActor(actorOrNull);
  const { file, options } = parseRequest(input);
  const format = checkImportFile(file);
  const split = await splitFile(format, file, options);
  return {
    format,
    title: split.title,
    description: split.description,
    pageCount: split.pages.length,
    splitFurther: split.splitFurther,
    pages: split.pages
      .slice(0, PREVIEW_PAGES)
      .map((text, i) => ({ number: i + 1, characters: text.length, firstLines: firstLines(text) })),
  };
}

export function toImportJobView(row: StoryImport): ImportJobView {
  return {
    id: row.id,
    jobType: IMPORT_JOB_TYPE,
    status: row.status,
    fileName: row.fileName,
    format: row.format,
    options: importOptionsSchema.parse(row.options),
    pagesTotal: row.pagesTotal,
    pagesStaged: row.pagesStaged,
    storyId: row.storyId,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? "" } : null,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

/**
 * Accepts an import: the cheap checks (format, size, empty, magic bytes) answer at once; the file is stored and the
 * background job reads, splits, stages and publishes it. Any signed-in user may import: it creates their own story.
 */
export async function startImport(
  actorOrNull: Actor | null,
  input: { file: unknown; options: unknown },
): Promise<ImportJobView> {
  const actor = requireActor(actorOrNull);
  const { file, options } = parseRequest(input);
  const format = checkImportFile(file);
  // The archive's directory is cheap to read: a zip bomb, an encrypted part or a zip that is no Word document is
  // refused now rather than by the job.
  if (format === "docx") await checkDocxArchive(file.bytes, { inflate: false });
  else decodeText(file.bytes); // Text that is not UTF-8 is no text file: refused now, before it is stored.
  const db = await getDb();
  const [row] = await db
    .insert(storyImports)
    .values({
      requestedBy: actor.id,
      fileName: file.name,
      format,
      fileBytes: file.bytes.length,
      file: file.bytes,
      options,
    })
    .returning();
  await requestImportRun(row!.id);
  return toImportJobView(row!);
}

async function requestImportRun(importId: string): Promise<void> {
  // Embedded mode without the engine in this process (a script, a unit test): the caller runs it (runImport).
  if (inngestMode() === "embedded" && !processEngine()) {
    log("debug", "import not sent: no engine in this process", { importId });
    return;
  }
  await inngest.send(importRequested.create({ importId }, { id: `import-${importId}` }));
}

const notFound = () => new AppError("NOT_FOUND", "We couldn't find that import.");

/** Whether a row is an import (the job endpoints ask before reading it as one). */
export async function isImportJob(jobId: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db.select({ id: storyImports.id }).from(storyImports).where(eq(storyImports.id, jobId)).limit(1);
  return !!row;
}

/** An import's progress, for whoever started it (and admins); NOT_FOUND for anyone else. */
export async function getImport(actorOrNull: Actor | null, input: unknown): Promise<ImportJobView> {
  const actor = requireActor(actorOrNull);
  const { importId } = parseInput(z.object({ importId: idField }), input);
  const db = await getDb();
  const [row] = await db.select().from(storyImports).where(eq(storyImports.id, importId)).limit(1);
  if (!row || (row.requestedBy !== actor.id && !isAdmin(actor))) throw notFound();
  return toImportJobView(row);
}

async function loadImport(importId: string): Promise<StoryImport | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(storyImports).where(eq(storyImports.id, importId)).limit(1);
  return row;
}

/**
 * Reads, splits and stages an import's pages (batch by batch, with progress). Nothing of the story exists yet: the
 * staged rows are the import's own. A second run (a retried step) starts the staging over.
 */
export async function stageImport(importId: string): Promise<{ staged: number } | null> {
  const db = await getDb();
  const row = await loadImport(importId);
  if (!row || (row.status !== "pending" && row.status !== "running") || !row.file) return null;
  await db
    .update(storyImports)
    .set({ status: "running", pagesStaged: 0, updatedAt: new Date() })
    .where(eq(storyImports.id, importId));
  const options = importOptionsSchema.parse(row.options);
  const split = await splitFile(row.format, { name: row.fileName, bytes: row.file }, options);
  await db.delete(storyImportPages).where(eq(storyImportPages.importId, importId));
  await db
    .update(storyImports)
    .set({ title: split.title, description: split.description, pagesTotal: split.pages.length, updatedAt: new Date() })
    .where(eq(storyImports.id, importId));
  for (let start = 0; start < split.pages.length; start += STAGE_BATCH) {
    const batch = split.pages.slice(start, start + STAGE_BATCH);
    await db.transaction(async (tx) => {
      await tx
        .insert(storyImportPages)
        .values(
          batch.map((content, i) => ({ importId, ordinal: start + i, content, tokenCount: countTokens(content) })),
        );
      const progressed = await tx
        .update(storyImports)
        .set({ pagesStaged: start + batch.length, updatedAt: new Date() })
        .where(and(eq(storyImports.id, importId), eq(storyImports.status, "running")))
        .returning({ id: storyImports.id });
      // Ended meanwhile (the sweep took it for stalled): this batch is undone and the staging stops.
      if (progressed.length === 0) throw new AppError("IMPORT_STALLED");
    });
  }
  return { staged: split.pages.length };
}

/**
 * Publishes the staged pages as a new story in one short transaction: the story, its pages (moved by one
 * INSERT … SELECT, positions computed here) and their first revisions, then the import marked done. Until this
 * commits no story exists; after it, the whole story does.
 */
export async function publishImport(importId: string): Promise<{ storyId: string; pageIds: string[] } | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(storyImports).where(eq(storyImports.id, importId)).for("update").limit(1);
    if (row?.status !== "running" || row.pagesTotal === null) return null;
    const [{ n } = { n: 0 }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(storyImportPages)
      .where(eq(storyImportPages.importId, importId));
    if (Number(n) !== row.pagesTotal) throw new AppError("INTERNAL", "The staged pages are incomplete.");
    const [story] = await tx
      .insert(stories)
      .values({ ownerId: row.requestedBy, title: row.title ?? row.fileName, description: row.description ?? "" })
      .returning({ id: stories.id });
    // The importer owns the story, recorded as its member like any story's (db/schema.ts storyMembers).
    await tx.insert(storyMembers).values(ownerMemberRow(story!.id, row.requestedBy));
    const keys = generateNKeysBetween(null, null, row.pagesTotal);
    const inserted = await tx.execute<{ id: string }>(sql`
      insert into ${pages} (story_id, position, content, version, token_count)
      select ${story!.id}, k.key, s.content, 1, s.token_count
      from ${storyImportPages} s
      join unnest(${sql.raw(`array[${keys.map((k) => `'${k}'`).join(",") || ""}]::text[]`)}) with ordinality as k(key, n)
        on k.n = s.ordinal + 1
      where s.import_id = ${importId}
      order by s.ordinal
      returning id`);
    await tx.execute(sql`
      insert into ${pageRevisions} (page_id, version, content, source, author_id)
      select p.id, 1, p.content, 'human', ${row.requestedBy}::uuid from ${pages} p where p.story_id = ${story!.id}`);
    await tx.delete(storyImportPages).where(eq(storyImportPages.importId, importId));
    await tx
      .update(storyImports)
      .set({ status: "succeeded", storyId: story!.id, file: null, completedAt: new Date(), updatedAt: new Date() })
      .where(eq(storyImports.id, importId));
    const rows = Array.isArray(inserted) ? inserted : (inserted as unknown as { rows: { id: string }[] }).rows;
    return { storyId: story!.id, pageIds: rows.map((r) => r.id) };
  });
}

/** Ends an import that failed: its staged pages go, the file goes, the reason stays; no story was made. */
export async function failImport(importId: string, error: unknown): Promise<void> {
  const db = await getDb();
  const code: ErrorCode = isAppError(error) ? error.code : "INTERNAL";
  const message = isAppError(error) ? error.message : errorCatalog.INTERNAL.message;
  if (!isAppError(error)) log("error", "import failed", { importId, error });
  await db.transaction(async (tx) => {
    await tx.delete(storyImportPages).where(eq(storyImportPages.importId, importId));
    await tx
      .update(storyImports)
      .set({
        status: "failed",
        errorCode: code,
        errorMessage: message,
        file: null,
        completedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(and(eq(storyImports.id, importId), inArray(storyImports.status, ["pending", "running"])));
  });
}

/**
 * How long an import may go without a sign of life (a staged batch, a status change) before the sweep ends it: far
 * longer than a batch of 25 pages takes, so only an import whose function crashed or whose process died is caught.
 * A pending import whose event was lost is caught the same way; the author starts again with one click.
 */
export const IMPORT_STALE_MS = 15 * 60_000;

/**
 * Ends the imports stuck in pending or running for longer than `olderThanMs` as failed (IMPORT_STALLED), with their
 * staged pages and file removed, exactly as failImport does; the author's import panel then shows the message. An
 * import that moves meanwhile is left alone: the update re-checks its age.
 */
export async function sweepStaleImports(options: { olderThanMs?: number; now?: Date } = {}): Promise<string[]> {
  const db = await getDb();
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.olderThanMs ?? IMPORT_STALE_MS));
  const stuck = and(inArray(storyImports.status, ["pending", "running"]), lt(storyImports.updatedAt, cutoff));
  const rows = await db.select({ id: storyImports.id }).from(storyImports).where(stuck);
  const failed: string[] = [];
  for (const { id } of rows) {
    const ended = await db.transaction(async (tx) => {
      const done = await tx
        .update(storyImports)
        .set({
          status: "failed",
          errorCode: "IMPORT_STALLED",
          errorMessage: errorCatalog.IMPORT_STALLED.message,
          file: null,
          completedAt: new Date(),
          updatedAt: new Date(),
        })
        .where(and(eq(storyImports.id, id), stuck))
        .returning({ id: storyImports.id });
      if (done.length > 0) await tx.delete(storyImportPages).where(eq(storyImportPages.importId, id));
      return done.length > 0;
    });
    if (ended) failed.push(id);
  }
  if (failed.length > 0) log("warn", "stalled imports ended as failed", { count: failed.length, importIds: failed });
  return failed;
}

/** The summary of every imported page, scheduled as after an edit (debounced, paid by the importer). */
export async function summarizeImported(importId: string): Promise<number> {
  const db = await getDb();
  const row = await loadImport(importId);
  if (!row?.storyId) return 0;
  const imported = await db
    .select({ id: pages.id, storyId: pages.storyId, version: pages.version, content: pages.content })
    .from(pages)
    .where(eq(pages.storyId, row.storyId))
    .orderBy(asc(pages.position));
  const withText = imported.filter((p) => p.content.trim() !== "");
  for (const page of withText) await announcePageTextChanged(page, row.requestedBy);
  return withText.length;
}

/** The whole import in one call (what the background function does step by step); failures end it as failed. */
export async function runImport(importId: string): Promise<ImportJobView | null> {
  try {
    const staged = await stageImport(importId);
    if (staged) await publishImport(importId);
  } catch (error) {
    await failImport(importId, error);
  }
  const row = await loadImport(importId);
  if (row?.status === "succeeded") await summarizeImported(importId);
  return row ? toImportJobView(row) : null;
}
