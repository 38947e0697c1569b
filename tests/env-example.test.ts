import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The README's configuration table is the list of settings; `.env.example` is the same list as a file to copy; the
 * code is what actually reads them. A variable added to one of the three and forgotten in another fails here.
 */
const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

const VARIABLE = /^[A-Z][A-Z0-9_]*$/;

/** Variables named in the first column of the table under "## Configuration" (a cell may name several). */
function readmeVariables(): string[] {
  const readme = read("README.md");
  const start = readme.indexOf("\n## Configuration\n");
  expect(start, "README.md has a '## Configuration' section").toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const names = new Set<string>();
  for (const line of section.split("\n")) {
    if (!line.startsWith("|") || /^\|\s*-/.test(line)) continue;
    const firstCell = line.split("|")[1] ?? "";
    for (const [, name] of firstCell.matchAll(/`([^`]+)`/g)) if (VARIABLE.test(name!)) names.add(name!);
  }
  return [...names].sort();
}

/** Variables assigned in .env.example, commented out (`# NAME=`) or not (`NAME=`). */
function exampleVariables(): string[] {
  const names = new Set<string>();
  for (const line of read(".env.example").split("\n")) {
    const match = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    if (match) names.add(match[1]!);
  }
  return [...names].sort();
}

/** Set by Node or Next.js themselves, not by whoever runs the app. */
const FRAMEWORK_VARIABLES = new Set(["NODE_ENV", "NEXT_RUNTIME", "NEXT_PHASE"]);

const CODE_DIRS = ["app", "lib", "db", "scripts"];
const ROOT_FILES = ["instrumentation.ts", "proxy.ts", "next.config.mjs"];

function sourceFiles(): string[] {
  const files: string[] = ROOT_FILES.filter((f) => fs.existsSync(path.join(root, f)));
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.(ts|tsx|mjs|js)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) files.push(rel);
    }
  };
  for (const dir of CODE_DIRS) if (fs.existsSync(path.join(root, dir))) walk(dir);
  return files;
}

/**
 * Every environment variable the code reads: `process.env.X` and `process.env["X"]`, and — in files that read
 * `process.env` — an `env` parameter defaulting to it (`env.X`, `env["X"]`) and helpers that take the name
 * (`envNumber("X", …)`, `readNumber(env, "X", …)`).
 */
function variablesReadInCode(): Map<string, string[]> {
  const patterns = [/process\.env\.([A-Z][A-Z0-9_]*)/g, /process\.env\[\s*["'`]([A-Z][A-Z0-9_]*)["'`]\s*\]/g];
  const envPatterns = [
    /\benv\.([A-Z][A-Z0-9_]*)/g,
    /\benv\[\s*["'`]([A-Z][A-Z0-9_]*)["'`]\s*\]/g,
    /\b\w*(?:env|Env|read|Read)\w*\(\s*(?:[a-z]\w*\s*,\s*)?["'`]([A-Z][A-Z0-9]*_[A-Z0-9_]+)["'`]/g,
  ];
  const found = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    const text = read(file);
    if (!text.includes("process.env")) continue;
    for (const pattern of [...patterns, ...envPatterns]) {
      for (const [, name] of text.matchAll(pattern)) found.set(name!, [...(found.get(name!) ?? []), file]);
    }
  }
  return found;
}

describe(".env.example and the README's configuration table", () => {
  it("name the same variables", () => {
    const readme = readmeVariables();
    const example = exampleVariables();
    expect(readme.length).toBeGreaterThan(20);
    expect(
      readme.filter((n) => !example.includes(n)),
      "in the README table but missing from .env.example",
    ).toEqual([]);
    expect(
      example.filter((n) => !readme.includes(n)),
      "in .env.example but missing from the README table",
    ).toEqual([]);
  });

  it("every .env.example variable has a comment line above it", () => {
    const lines = read(".env.example").split("\n");
    const uncommented = lines
      .map((line, i) => ({ line, previous: lines[i - 1] ?? "" }))
      .filter(({ line }) => /^#?\s*[A-Z][A-Z0-9_]*=/.test(line))
      .filter(({ previous }) => !/^#\s+\S/.test(previous) || /^#?\s*[A-Z][A-Z0-9_]*=/.test(previous))
      .map(({ line }) => line);
    expect(uncommented).toEqual([]);
  });

  it("the table lists every variable the code reads", () => {
    const readme = new Set(readmeVariables());
    const read = variablesReadInCode();
    // The scan must see the reads it is meant to see, or an empty result would pass.
    expect([...read.keys()]).toEqual(
      expect.arrayContaining(["DATABASE_URL", "AI_STALL_TIMEOUT_MS", "AI_DAILY_TOKEN_BUDGET", "INNGEST_SERVE_URL"]),
    );
    const missing = [...read]
      .filter(([name]) => !readme.has(name) && !FRAMEWORK_VARIABLES.has(name))
      .map(([name, files]) => `${name} (${[...new Set(files)].join(", ")})`);
    expect(missing, "read in code but missing from README.md's configuration table").toEqual([]);
  });
});
