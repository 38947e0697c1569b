import { beforeAll, describe, expect, it, vi } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { openApiDocument } from "@/lib/http/openapi";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";
import { checkEpub } from "./epub-check";

/** The export over HTTP: the v1 route (API token) and the story page's route (session or token). */
const mocks = vi.hoisted(() => ({ actor: null as { id: string; role: "author" | "admin" } | null }));
vi.mock("@/lib/auth", () => ({ currentActor: async () => mocks.actor }));

useTestDb();

let owner: Actor;
let other: Actor;
let ownerToken = "";
let storyId = "";

beforeAll(async () => {
  owner = await makeActor();
  other = await makeActor();
  ownerToken = (await createApiToken(owner, { name: "export" })).secret;
  storyId = (await makeStory(owner, ["# One\nFirst & <best>.", "Second."], "Ünïcode: a/b")).story.id;
});

type Handler = (request: Request, context: { params: Promise<{ storyId: string }> }) => Promise<Response>;

async function get(handler: Handler, path: string, id = storyId, token?: string): Promise<Response> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return handler(new Request(`http://localhost${path}`, { headers }), { params: Promise.resolve({ storyId: id }) });
}

describe("GET /api/v1/stories/{storyId}/export", () => {
  it("streams the EPUB with its content type and the story's title as the file name", async () => {
    const { GET } = await import("@/app/api/v1/stories/[storyId]/export/route");
    const res = await get(GET, `/api/v1/stories/${storyId}/export?format=epub&toc=chapters`, storyId, ownerToken);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/epub+zip");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="Unicode a b.epub"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20a%20b.epub`,
    );
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.body).toBeInstanceOf(ReadableStream);
    const epub = checkEpub(new Uint8Array(await res.arrayBuffer()));
    expect(epub.navLabels).toEqual(["Title page", "One"]);
  });

  it("answers JSON errors before any byte: 400 for a bad format, 404 for another user's story, 401 without a token", async () => {
    const { GET } = await import("@/app/api/v1/stories/[storyId]/export/route");
    const bad = await get(GET, `/api/v1/stories/${storyId}/export?format=pdf`, storyId, ownerToken);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "VALIDATION", details: { fields: { format: expect.any(String) } } });
    const otherToken = (await createApiToken(other, { name: "other" })).secret;
    const hidden = await get(GET, `/api/v1/stories/${storyId}/export?format=md`, storyId, otherToken);
    expect(hidden.status).toBe(404);
    expect((await hidden.json()).code).toBe("NOT_FOUND");
    const anonymous = await get(GET, `/api/v1/stories/${storyId}/export?format=md`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("is in the OpenAPI document with its query parameters and file media types", () => {
    const op = (openApiDocument().paths as Record<string, Record<string, Record<string, unknown>>>)[
      "/api/v1/stories/{storyId}/export"
    ]!.get as { parameters: { name: string; in: string }[]; responses: Record<string, { content: object }> };
    expect(op.parameters.map((p) => `${p.in} ${p.name}`)).toEqual([
      "path storyId",
      "query format",
      "query toc",
      "query codex",
      "query illustrations",
    ]);
    expect(Object.keys(op.responses["200"]!.content).sort()).toEqual(
      [
        "application/epub+zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
        "text/markdown",
        "text/plain",
      ].sort(),
    );
  });
});

describe("GET /api/stories/{storyId}/export (the story page's Export menu)", () => {
  it("downloads with the session: the owner and an admin; another author gets 404; anonymous 401", async () => {
    const { GET } = await import("@/app/api/stories/[storyId]/export/route");
    const path = `/api/stories/${storyId}/export?format=md&codex=true`;
    mocks.actor = owner;
    const res = await get(GET, path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    const md = await res.text();
    expect(md).toContain("## One\n\nFirst & \\<best\\>.\n\n* * *\n\nSecond.\n");
    expect(md).toContain("## Appendix: Codex");
    mocks.actor = await makeActor("admin");
    expect((await get(GET, path)).status).toBe(200);
    mocks.actor = other;
    expect((await get(GET, path)).status).toBe(404);
    mocks.actor = null;
    expect((await get(GET, path)).status).toBe(401);
    expect((await get(GET, path, storyId, ownerToken)).status).toBe(200);
  });
});
