import { beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { openApiDocument } from "@/lib/http/openapi";
import { importAnswerSchema } from "@/lib/http/api-schemas";
import { runImport } from "@/lib/stories/import/job";
import { useTestDb } from "../helpers/db";
import { makeActor } from "../helpers/fixtures";
import { sampleDocx } from "./fixtures";

useTestDb();

const route = await import("@/app/api/v1/stories/import/route");
const jobRoute = await import("@/app/api/v1/jobs/[jobId]/route");
const cancelRoute = await import("@/app/api/v1/jobs/[jobId]/cancel/route");

let token = "";
let otherToken = "";

beforeAll(async () => {
  token = (await createApiToken(await makeActor(), { name: "import" })).secret;
  otherToken = (await createApiToken(await makeActor(), { name: "other" })).secret;
});

async function upload(fields: Record<string, string | File>, headers: Record<string, string> = {}, as = token) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const request = new Request("http://localhost/api/v1/stories/import", {
    method: "POST",
    headers: { authorization: `Bearer ${as}`, ...headers },
    body: form,
  });
  const res = await route.POST(request, { params: Promise.resolve({}) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const call = async (handler: unknown, jobId: string, as = token) => {
  const res = await (handler as (r: Request, c: { params: Promise<unknown> }) => Promise<Response>)(
    new Request(`http://localhost/api/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${as}` } }),
    { params: Promise.resolve({ jobId }) },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("POST /api/v1/stories/import", () => {
  it("preview=true: 200 with the split, described by the operation's schema", async () => {
    const docx = new File([new Uint8Array(await sampleDocx())], "book.docx");
    const res = await upload({ file: docx, preview: "true", mode: "headings" });
    expect(res.status).toBe(200);
    expect(importAnswerSchema.parse(res.body)).toMatchObject({ title: "The Lighthouse Keeper", pageCount: 2 });
  });

  it("202 with the job and its Location; the job reads at /api/v1/jobs/{id} until the story exists", async () => {
    const res = await upload({ file: new File(["# Book\n\nIntro.\n\n## One\n\nA.\n\n## Two\n\nB."], "book.md") });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    expect(res.headers.get("location")).toBe(`/api/v1/jobs/${id}`);
    expect(res.body).toMatchObject({ jobType: "story.import", status: "pending" });
    await runImport(id);
    const job = await call(jobRoute.GET, id);
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ status: "succeeded", pagesTotal: 2, pagesStaged: 2, storyId: expect.any(String) });
    // Another user's token: the import does not exist for them.
    expect((await call(jobRoute.GET, id, otherToken)).status).toBe(404);
    // An import cannot be cancelled (all or nothing): a clear 409.
    const cancelled = await call(cancelRoute.POST, id);
    expect(cancelled.status).toBe(409);
  });

  it("bad input answers with its typed code", async () => {
    const wrong = await upload({ file: new File(["plain words"], "book.docx") });
    expect(wrong).toMatchObject({ status: 415, body: { code: "IMPORT_WRONG_TYPE" } });
    const unsupported = await upload({ file: new File(["x"], "book.pdf") });
    expect(unsupported).toMatchObject({ status: 415, body: { code: "IMPORT_UNSUPPORTED_FORMAT" } });
    const empty = await upload({ file: new File([], "book.txt") });
    expect(empty).toMatchObject({ status: 422, body: { code: "IMPORT_EMPTY" } });
    const missing = await upload({ mode: "headings" });
    expect(missing).toMatchObject({ status: 400, body: { code: "VALIDATION" } });
    const badMode = await upload({ file: new File(["text"], "a.txt"), mode: "sideways" });
    expect(badMode).toMatchObject({ status: 400, body: { code: "VALIDATION" } });
  });

  it("a body declared over the limit is refused before it is read", async () => {
    const res = await upload({ file: new File(["x"], "a.txt") }, { "content-length": String(11 * 1024 * 1024) });
    expect(res).toMatchObject({ status: 413, body: { code: "IMPORT_TOO_LARGE" } });
  });

  it("is in the OpenAPI document as a multipart upload with its fields", () => {
    const doc = openApiDocument() as unknown as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: object } }> } } }>;
    };
    const body = doc.paths["/api/v1/stories/import"]!.post.requestBody.content["multipart/form-data"]!;
    expect(Object.keys(body.schema.properties).sort()).toEqual(["file", "mode", "preview", "targetLength"]);
  });
});
