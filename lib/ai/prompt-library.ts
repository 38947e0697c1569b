import fs from "node:fs/promises";
import path from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import { type Db, getDb } from "@/db";
import { preparedPerDb } from "@/db/prepared-queries";
import { type PromptVersion, promptVersions } from "@/db/prompts-schema";
import {
  adminEngine,
  loadTemplate,
  type PromptTemplate,
  PromptTemplateError,
  parseTemplate,
  renderTemplate,
} from "./prompts";

/*
 * The prompt library: built-in versions (files in prompts/, imported at start) and admins' versions (database) in one
 * numbering per family. New jobs use the family's published version; a job's recorded (key, version) always names
 * one text, so it renders again exactly. Until the import has run (tests, scripts) a family without rows falls back
 * to its files.
 */

function promptsDir(): string {
  return process.env.PROMPTS_DIR ?? path.join(process.cwd(), "prompts");
}

/** A built-in file that changed without a new version number, or that collides with an admin version. */
export class PromptDriftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PromptDriftError";
  }
}

export interface BuiltinTemplate extends PromptTemplate {
  /** prompts/<key>.liquid (the current one) rather than prompts/versions/<key>.v<N>.liquid. */
  current: boolean;
}

/** Every built-in version: the current file of each family and its archived versions. */
export async function readBuiltinTemplates(dir = promptsDir()): Promise<BuiltinTemplate[]> {
  const out: BuiltinTemplate[] = [];
  const read = async (folder: string, current: boolean) => {
    let names: string[];
    try {
      names = await fs.readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const name of names.filter((n) => n.endsWith(".liquid")).sort()) {
      const file = path.join(folder, name);
      const template = parseTemplate(await fs.readFile(file, "utf8"), file);
      const expected = current ? `${template.key}.liquid` : `${template.key}.v${template.version}.liquid`;
      if (name !== expected)
        throw new PromptDriftError(`${file} declares ${template.key} v${template.version}: name it ${expected}.`);
      out.push({ ...template, source: "builtin", current });
    }
  };
  await read(dir, true);
  await read(path.join(dir, "versions"), false);
  return out;
}

export interface ImportReport {
  imported: { family: string; version: number; status: PromptVersion["status"] }[];
}

/**
 * Imports the built-in versions at start. A file whose text differs from the version of the same number imported
 * earlier stops the start (PromptDriftError): jobs recorded that number, and changing its text would make them
 * unreproducible. A new current file is published when the family's published version is an older built-in one (a
 * deploy upgrades the default); when an admin has published their own version, it lands as a draft for them to
 * publish.
 */
export async function importBuiltinPrompts(db: Db, dir = promptsDir()): Promise<ImportReport> {
  const templates = await readBuiltinTemplates(dir);
  const imported: ImportReport["imported"] = [];
  await db.transaction(async (tx) => {
    // Two processes starting at once import once.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('prompt_versions_import'))`);
    // Archived versions first, so that the current one is compared with what is already published.
    const ordered = [...templates].sort((a, b) => Number(a.current) - Number(b.current) || a.version - b.version);
    for (const t of ordered) {
      const [existing] = await tx
        .select()
        .from(promptVersions)
        .where(and(eq(promptVersions.family, t.key), eq(promptVersions.version, t.version)));
      if (existing) {
        if (existing.source === "admin") {
          const [{ next }] = (await tx
            .select({ next: sql<number>`coalesce(max(${promptVersions.version}), 0) + 1` })
            .from(promptVersions)
            .where(eq(promptVersions.family, t.key))) as [{ next: number }];
          throw new PromptDriftError(
            `${t.file} declares ${t.key} version ${t.version}, but that number belongs to an admin's version in the database. Give the file version ${next} (the next free number).`,
          );
        }
        if (existing.body !== t.body) {
          throw new PromptDriftError(
            `${t.file}: the text of ${t.key} version ${t.version} changed since it was imported, without a new version number. Jobs recorded version ${t.version}; give the changed file a new version (and keep the old text in prompts/versions/${t.key}.v${t.version}.liquid), or undo the change.`,
          );
        }
        continue;
      }
      let status: PromptVersion["status"] = "archived";
      if (t.current) {
        const [published] = await tx
          .select()
          .from(promptVersions)
          .where(and(eq(promptVersions.family, t.key), eq(promptVersions.status, "published")));
        if (!published || (published.source === "builtin" && published.version < t.version)) {
          if (published) {
            await tx
              .update(promptVersions)
              .set({ status: "archived", updatedAt: new Date() })
              .where(eq(promptVersions.id, published.id));
          }
          status = "published";
        } else {
          status = "draft";
        }
      }
      await tx.insert(promptVersions).values({
        family: t.key,
        version: t.version,
        body: t.body,
        description: t.description,
        status,
        source: "builtin",
        publishedAt: status === "published" ? new Date() : null,
      });
      imported.push({ family: t.key, version: t.version, status });
    }
  });
  return { imported };
}

function fromRow(row: PromptVersion): PromptTemplate {
  return {
    key: row.family,
    version: row.version,
    description: row.description,
    body: row.body,
    file: `prompt_versions:${row.family}.v${row.version}`,
    source: row.source,
  };
}

/** Published and archived versions never change (the library refuses it), so they are cached for good. */
const settled = new Map<string, PromptTemplate>();

/** The published version of a family, prepared (db/prepared-queries.ts): read on every Generate. */
const publishedVersion = preparedPerDb((db) =>
  db
    .select()
    .from(promptVersions)
    .where(and(eq(promptVersions.family, sql.placeholder("key")), eq(promptVersions.status, "published")))
    .prepare("published_prompt_version"),
);

/**
 * The template a job uses: with `version`, exactly that version (a recorded job); without, the family's published
 * version ("latest"). Families the library has no rows for come from the files.
 */
export async function resolveTemplate(key: string, version?: number, dbOrNull?: Db): Promise<PromptTemplate> {
  if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new PromptTemplateError(`Not a template key: ${key}`);
  const db = dbOrNull ?? (await getDb());
  if (version !== undefined) {
    const cached = settled.get(`${key}@${version}`);
    if (cached) return cached;
    const [row] = await db
      .select()
      .from(promptVersions)
      .where(and(eq(promptVersions.family, key), eq(promptVersions.version, version)));
    if (!row) return loadTemplate(key, version);
    const template = fromRow(row);
    if (row.status !== "draft") settled.set(`${key}@${version}`, template);
    return template;
  }
  const [row] = await publishedVersion(db).execute({ key });
  if (row) return fromRow(row);
  return loadTemplate(key);
}

/** Every version of every family, oldest first within a family. */
export async function listPromptVersions(db: Db): Promise<PromptVersion[]> {
  return db.select().from(promptVersions).orderBy(asc(promptVersions.family), asc(promptVersions.version));
}

export interface LiquidProblem {
  message: string;
  line: number | null;
  column: number | null;
}

function problemOf(error: unknown): LiquidProblem {
  const e = error as { message?: string; token?: { getPosition?: () => [number, number] } };
  const position = e.token?.getPosition?.();
  // liquidjs appends ", line:3, col:1" to its messages; the line travels separately.
  const message = String(e.message ?? error).replace(/, line:\d+, col:\d+$/, "");
  return { message, line: position?.[0] ?? null, column: position?.[1] ?? null };
}

/** Parses an admin template (file access off): null when it is valid Liquid, else the problem with its line. */
export function checkLiquidSyntax(body: string): LiquidProblem | null {
  try {
    adminEngine.parse(body);
    return null;
  } catch (error) {
    return problemOf(error);
  }
}

/**
 * Renders an admin template against variables, strictly: a missing variable is a problem naming it (with its line),
 * never an empty hole in the prompt.
 */
export async function renderAdminBody(
  body: string,
  variables: Record<string, unknown>,
): Promise<{ ok: true; text: string } | { ok: false; problem: LiquidProblem }> {
  try {
    const template = { key: "preview", version: 1, description: "", body, file: "preview", source: "admin" as const };
    return { ok: true, text: await renderTemplate(template, variables) };
  } catch (error) {
    return { ok: false, problem: problemOf(error) };
  }
}
