import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadTemplate, PromptFileError, PromptTemplateError } from "@/lib/ai/prompts";
import { clientFailures } from "@/lib/errors";
import { callAction, isNetworkFailure } from "@/lib/ui/call-action";

/** Issue 10, item 8: errors that used to vanish (swallowed, or reported as something they were not). */

const mocks = vi.hoisted(() => ({
  currentActor: vi.fn(async () => ({ id: "00000000-0000-4000-8000-000000000001", role: "author" as const })),
  listLiveScopeJobs: vi.fn(),
}));
vi.mock("@/lib/auth", () => ({ currentActor: mocks.currentActor }));
// The story hub reads through listLiveScopeJobs (mocked below); no database is opened here.
vi.mock("@/db", () => ({ getDb: async () => ({}) }));
vi.mock("@/lib/ai", async (original) => ({
  ...(await original<typeof import("@/lib/ai")>()),
  listLiveScopeJobs: mocks.listLiveScopeJobs,
}));

let consoleError: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "log").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** One console line as the logger writes it: a JSON object (or the raw line, when it is not JSON). */
interface LoggedLine {
  level?: string;
  msg?: string;
  error?: { message?: string };
  [field: string]: unknown;
}

const loggedLines = (spy: ReturnType<typeof vi.spyOn>): LoggedLine[] =>
  spy.mock.calls.map(([line]: unknown[]) => {
    try {
      return JSON.parse(String(line)) as LoggedLine;
    } catch {
      return { raw: line };
    }
  });

describe("the story event stream", () => {
  it("logs a failed read of the story's jobs with its cause, and keeps the stream", async () => {
    mocks.listLiveScopeJobs.mockRejectedValueOnce(new Error("ledger read failed", { cause: new Error("ECONNRESET") }));
    mocks.listLiveScopeJobs.mockResolvedValue([]);
    const { storyJobHub } = await import("@/lib/stories/live/story-events");
    const hub = storyJobHub();
    const off = hub.subscribe("00000000-0000-4000-8000-0000000000aa", () => {});
    await vi.waitFor(() => expect(mocks.listLiveScopeJobs).toHaveBeenCalled());
    await vi.waitFor(() =>
      expect(loggedLines(consoleError).find((l) => l.error?.message === "ledger read failed")).toBeDefined(),
    );
    const entry = loggedLines(consoleError).find((l) => l.error?.message === "ledger read failed");
    expect(entry).toMatchObject({
      level: "error",
      msg: "story job events: tick failed",
      storyId: "00000000-0000-4000-8000-0000000000aa",
      causes: ["Error: ECONNRESET"],
    });
    expect(hub.stats()).toEqual({ scopes: 1, listeners: 1 });
    off();
    expect(hub.stats()).toEqual({ scopes: 0, listeners: 0 });
  });
});

describe("prompt template files", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "prompts-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a missing template is 'not found'", async () => {
    await expect(loadTemplate("page_write", undefined, dir)).rejects.toThrow(PromptTemplateError);
    await expect(loadTemplate("page_write", undefined, dir)).rejects.toThrow(/was not found/);
  });

  it("a directory where the file should be is an unreadable file, not a missing template", async () => {
    fs.mkdirSync(path.join(dir, "page_write.liquid"));
    const error = await loadTemplate("page_write", undefined, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptFileError);
    expect(error).not.toBeInstanceOf(PromptTemplateError);
    expect(error).toMatchObject({ fsCode: "EISDIR", cause: expect.objectContaining({ code: "EISDIR" }) });
    expect((error as Error).message).not.toMatch(/not found/);
  });

  it("a permission error is an unreadable file, not a missing template", async () => {
    const denied = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    vi.spyOn(fsp, "readFile").mockRejectedValue(denied);
    const error = await loadTemplate("page_write", undefined, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptFileError);
    expect(error).toMatchObject({ fsCode: "EACCES", cause: denied });
  });
});

describe("callAction in the browser", () => {
  it("a request that got no answer is a connection problem", async () => {
    for (const message of ["Failed to fetch", "NetworkError when attempting to fetch resource.", "Load failed"]) {
      const result = await callAction(() => Promise.reject(new TypeError(message)));
      expect(result).toEqual({
        ok: false,
        error: { code: "INTERNAL", message: clientFailures.network, details: { reason: "network" } },
      });
    }
    expect(consoleError).not.toHaveBeenCalled();
  });

  it("any other exception is a fault in the page: reported as such and logged to the console", async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const result = await callAction(() => Promise.reject(bug));
    expect(result).toEqual({
      ok: false,
      error: { code: "INTERNAL", message: clientFailures.client, details: { reason: "client" } },
    });
    expect(consoleError).toHaveBeenCalledWith(expect.any(String), bug);
    expect(isNetworkFailure(bug)).toBe(false);
  });

  it("an answer that is not an action result is a client fault too; a result passes through", async () => {
    const odd = await callAction(() => Promise.resolve(undefined as never));
    expect(odd).toMatchObject({ ok: false, error: { details: { reason: "client" } } });
    expect(consoleError).toHaveBeenCalledTimes(1);
    const fine = await callAction(() => Promise.resolve({ ok: true as const, data: 42 }));
    expect(fine).toEqual({ ok: true, data: 42 });
  });
});
