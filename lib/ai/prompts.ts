import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { Liquid } from "liquidjs";
import { z } from "zod";

/**
 * Prompts are files: `prompts/<key>.liquid` is the current version of a template; when a template changes, its
 * previous text moves to `prompts/versions/<key>.v<N>.liquid`, so a job can always be rendered again exactly with the
 * version it recorded.
 */
export interface PromptTemplate {
  key: string;
  version: number;
  description: string;
  body: string;
  file: string;
  /**
   * Where the text comes from: a file in prompts/ (the default) or an admin's version in the database, which renders
   * with file access turned off (see adminEngine).
   */
  source?: "builtin" | "admin";
}

const frontMatterSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]*$/),
  version: z.coerce.number().int().min(1),
  description: z.string().min(1),
});

export class PromptTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PromptTemplateError";
  }
}

function promptsDir(): string {
  return process.env.PROMPTS_DIR ?? path.join(process.cwd(), "prompts");
}

export function parseTemplate(source: string, file: string): PromptTemplate {
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(source.replace(/\r\n/g, "\n"));
  if (!match) throw new PromptTemplateError(`${file}: missing front matter (--- key / version / description ---).`);
  const fields: Record<string, string> = {};
  for (const line of match[1]!.split("\n")) {
    const kv = /^([a-z_]+):\s*(.*)$/.exec(line.trim());
    if (kv) fields[kv[1]!] = kv[2]!.replace(/^["']|["']$/g, "");
  }
  const parsed = frontMatterSchema.safeParse(fields);
  if (!parsed.success) {
    throw new PromptTemplateError(
      `${file}: bad front matter: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
  }
  return { ...parsed.data, body: match[2]!, file };
}

/**
 * A template file that exists but cannot be read (permissions, a directory in its place, a failing disk): an
 * operational failure to fix on the server, not a template that is missing. It is not a PromptTemplateError, so a job
 * retries it and a request answers INTERNAL; whoever catches it last logs it once, with the file system's error as
 * its cause.
 */
export class PromptFileError extends Error {
  constructor(
    readonly file: string,
    readonly fsCode: string | undefined,
    options: { cause: unknown },
  ) {
    super(`Template file ${file} could not be read (${fsCode ?? "unknown error"}).`, options);
    this.name = "PromptFileError";
  }
}

/** The file's text, or null when there is no such file. Any other file-system error is a PromptFileError. */
async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (error) {
    const fsCode = (error as NodeJS.ErrnoException | null)?.code;
    if (fsCode === "ENOENT") return null;
    throw new PromptFileError(file, fsCode, { cause: error });
  }
}

/** The current template for `key`, or the archived one when `version` names an older version. */
export async function loadTemplate(key: string, version?: number, dir = promptsDir()): Promise<PromptTemplate> {
  if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new PromptTemplateError(`Not a template key: ${key}`);
  const currentFile = path.join(dir, `${key}.liquid`);
  const currentSource = await readIfExists(currentFile);
  if (currentSource !== null) {
    const current = parseTemplate(currentSource, currentFile);
    if (current.key !== key)
      throw new PromptTemplateError(`${currentFile} declares key ${current.key}, expected ${key}.`);
    if (version === undefined || current.version === version) return current;
  }
  if (version !== undefined) {
    const archivedFile = path.join(dir, "versions", `${key}.v${version}.liquid`);
    const archived = await readIfExists(archivedFile);
    if (archived !== null) {
      const template = parseTemplate(archived, archivedFile);
      if (template.key === key && template.version === version) return template;
    }
    throw new PromptTemplateError(`Template ${key} version ${version} was not found (neither current nor archived).`);
  }
  throw new PromptTemplateError(`Template ${key} was not found in ${dir}.`);
}

// strictVariables: a typo in a template is an error at render time, not a silently empty hole in the prompt.
const engineOptions = { strictVariables: true, strictFilters: true, trimTagLeft: false, greedy: false } as const;
const engine = new Liquid(engineOptions);

/**
 * The engine for admins' templates: no file access. include/render/layout are refused when the template is parsed
 * (so the syntax check on save reports them with their line), and the file system it would read does not exist.
 */
export const adminEngine = new Liquid({
  ...engineOptions,
  relativeReference: false,
  fs: {
    exists: async () => false,
    existsSync: () => false,
    readFile: async (file: string) => {
      throw new PromptTemplateError(`File access is turned off for admin templates (${file}).`);
    },
    readFileSync: (file: string) => {
      throw new PromptTemplateError(`File access is turned off for admin templates (${file}).`);
    },
    resolve: (_root: string, file: string) => file,
  },
});
for (const tag of ["include", "render", "layout"]) {
  adminEngine.registerTag(tag, {
    parse() {
      throw new PromptTemplateError(`the ${tag} tag is not allowed in an admin template (no file access)`);
    },
    render() {},
  });
}

type Parsed = ReturnType<Liquid["parse"]>;
/** Parsed templates by body: a handful of templates (built-in versions, admin versions), parsed once each. */
const parsedBuiltin = new Map<string, Parsed>();
const parsedAdmin = new Map<string, Parsed>();

function parseOnce(body: string, admin: boolean): Parsed {
  const cache = admin ? parsedAdmin : parsedBuiltin;
  let templates = cache.get(body);
  if (!templates) {
    templates = (admin ? adminEngine : engine).parse(body);
    if (cache.size >= 200) cache.delete(cache.keys().next().value!);
    cache.set(body, templates);
  }
  return templates;
}

export async function renderTemplate(template: PromptTemplate, variables: Record<string, unknown>): Promise<string> {
  // Synchronous rendering: our templates use no async tags or filters, and liquidjs's async renderer yields on every
  // tag, which made a 1,000-part story context cost ~4× more to render (bench/results/context.md).
  const admin = template.source === "admin";
  const text = (admin ? adminEngine : engine).renderSync(parseOnce(template.body, admin), variables);
  // Templates are laid out for reading; collapse the blank lines that tags leave behind.
  return `${text.replace(/\n{3,}/g, "\n\n").trim()}\n`;
}

export function hashPrompt(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}
