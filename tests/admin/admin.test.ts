import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { pages } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import type { ActionResult } from "@/lib/action-result";
import type { Actor } from "@/lib/stories";
import { writePageContent } from "@/lib/stories/pages";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory } from "../helpers/fixtures";

/**
 * The admin surface (job history, job detail, retry, cancel, CSV export, usage) × {anonymous, author, admin}. The
 * matrix is keyed by the modules' exports: a new exported function or action without a row fails the first tests,
 * and removing a function's admin check fails its row.
 */
const mocks = vi.hoisted(() => ({
  currentActor: vi.fn<() => Promise<{ id: string; role: "author" | "admin" } | null>>(),
}));
vi.mock("@/lib/auth", () => ({ currentActor: mocks.currentActor }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("@/lib/ai/jobs/queue", () => ({ enqueueJob: vi.fn(async () => {}), requestJobCancel: vi.fn(async () => {}) }));

// This file requests many jobs for one author within a minute; the rate limit has its own tests.
process.env.AI_RATE_LIMIT_PER_MINUTE = "0";

const adminJobs = await import("@/lib/stories/admin-jobs");
const adminUsage = await import("@/lib/stories/admin-usage");
const adminHealth = await import("@/lib/stories/health");
const retryModule = await import("@/lib/stories/retry");
const actions = await import("@/app/actions/admin");
const csvRoute = await import("@/app/api/admin/jobs.csv/route");
const { requestPageText, requireAdmin } = await import("@/lib/stories");
const { applyPageJobResult } = await import("@/lib/stories/page-jobs/land");

const t = useTestDb();

let owner: Actor;
let other: Actor;
let admin: Actor;

beforeAll(async () => {
  owner = await makeActor();
  other = await makeActor();
  admin = await makeActor("admin");
});

/** A page with text and a finished revise job on it, created through the domain so its payload is real. */
async function finishedJob(status: "succeeded" | "failed" = "succeeded") {
  const { story, pages } = await makeStory(
    owner,
    ["Mara climbed the lighthouse stairs.", "Tobin waited."],
    "The Lighthouse",
  );
  const view = await requestPageText(owner, { pageId: pages[0]!.id, instruction: "make it eerie" });
  await t
    .db()
    .update(aiJobs)
    .set(
      status === "succeeded"
        ? {
            status,
            outputText: "Mara climbed the cold lighthouse stairs.",
            inputTokens: 120,
            outputTokens: 30,
            costUsd: "0.000150",
            startedAt: new Date(),
            completedAt: new Date(),
          }
        : { status, errorCode: "GEN_TIMEOUT", errorMessage: "timed out", completedAt: new Date() },
    )
    .where(eq(aiJobs.id, view.id));
  return { storyId: story.id, pageId: pages[0]!.id, jobId: view.id };
}

type World = Awaited<ReturnType<typeof finishedJob>>;

const inputs: Record<string, (w: World) => unknown> = {
  listAdminJobs: () => ({}),
  adminJobFilterOptions: () => undefined,
  getAdminJobDetail: (w) => ({ jobId: w.jobId }),
  adminRetryJob: (w) => ({ jobId: w.jobId }),
  adminCancelJob: (w) => ({ jobId: w.jobId }),
  exportAdminJobsCsv: () => ({}),
  getAdminUsage: () => ({}),
  getAdminHealth: () => undefined,
};
/** Exported functions that take no actor, each with the reason. */
const internal = {
  parseHistoryInput: "parses input, reads nothing",
  enrichRows: "maps rows the caller already authorized",
  renderJobPrompt: "renders a job the caller already loaded",
  engineRunsForJob: "reads runs of a job the caller already loaded",
  checkReadiness: "the unauthenticated readiness probe: counts and ages only",
  modelFindings: "advice on model figures the caller already read",
  stuckFindings: "advice on jobs the caller already read",
  engineFindings: "advice on an engine state the caller already read",
};

/** What each function answers an admin, for the failed job `finishedJob("failed")` just recorded. */
const passes: Record<string, (result: unknown, w: World) => Promise<void> | void> = {
  listAdminJobs: (list, w) => {
    expect((list as { rows: { id: string }[] }).rows.map((r) => r.id)).toContain(w.jobId);
  },
  adminJobFilterOptions: (options) => {
    expect(options).toMatchObject({
      models: expect.arrayContaining(["offline"]),
      errorCodes: expect.arrayContaining(["GEN_TIMEOUT"]),
    });
  },
  getAdminJobDetail: (detail, w) => {
    expect(detail).toMatchObject({
      job: { id: w.jobId, status: "failed" },
      row: { storyTitle: "The Lighthouse", pageNumber: 1 },
      canRetry: true,
    });
  },
  // A new job on the same page, linked to the one it repeats.
  adminRetryJob: async (job, w) => {
    expect(job).toMatchObject({ pageId: w.pageId, status: "pending" });
    const [row] = await t
      .db()
      .select()
      .from(aiJobs)
      .where(eq(aiJobs.id, (job as { id: string }).id));
    expect(row).toMatchObject({ retryOf: w.jobId, requestedBy: admin.id });
  },
  adminCancelJob: () => {
    throw new Error("adminCancelJob is checked on a running job of its own");
  },
  exportAdminJobsCsv: async (rows, w) => {
    const ids: unknown[] = [];
    for await (const row of rows as AsyncGenerator<unknown[]>) ids.push(row[0]);
    expect(ids).toContain(w.jobId);
  },
  // The world's failed job never started, so it is no model call; its pending neighbours are in the backlog.
  getAdminHealth: (health) => {
    expect(health).toMatchObject({ ledger: { models: expect.any(Array) }, engine: { mode: "embedded" } });
  },
  getAdminUsage: (usage) => {
    expect((usage as { users: { key: string | null; label: string }[] }).users).toContainEqual(
      expect.objectContaining({ key: owner.id, label: expect.stringContaining("@") }),
    );
  },
};

const all = { ...adminJobs, ...adminUsage, ...adminHealth } as unknown as Record<string, unknown>;
const fn = (name: string) => all[name] as (a: Actor | null, i: unknown) => Promise<unknown>;

describe("admin domain functions", () => {
  it("every exported function is in the matrix or documented as internal", () => {
    const exported = Object.entries(all)
      .filter(([, v]) => typeof v === "function")
      .map(([k]) => k)
      .sort();
    expect(exported).toEqual([...Object.keys(inputs), ...Object.keys(internal)].sort());
    expect(Object.keys(passes).sort()).toEqual(Object.keys(inputs).sort());
  });

  it("requireAdmin: anonymous → UNAUTHENTICATED, author → NOT_FOUND, admin passes", () => {
    expect(() => requireAdmin(null)).toThrowError(expect.objectContaining({ code: "UNAUTHENTICATED" }));
    expect(() => requireAdmin(owner)).toThrowError(expect.objectContaining({ code: "NOT_FOUND" }));
    expect(requireAdmin(admin)).toBe(admin);
  });

  it.each(Object.keys(inputs))(
    "%s: anonymous → UNAUTHENTICATED, an author (even the job's owner) → NOT_FOUND",
    async (name) => {
      const w = await finishedJob();
      await expectAppError(fn(name)(null, inputs[name]!(w)), "UNAUTHENTICATED");
      await expectAppError(fn(name)(owner, inputs[name]!(w)), "NOT_FOUND");
      await expectAppError(fn(name)(other, inputs[name]!(w)), "NOT_FOUND");
    },
  );

  it.each(Object.keys(inputs))("%s: an admin is let through", async (name) => {
    const w = await finishedJob(name === "adminCancelJob" ? "succeeded" : "failed");
    if (name === "adminCancelJob") {
      // Cancel needs a running job: a fresh request on the other page.
      const { pages } = await makeStory(owner, ["Some text."]);
      const running = await requestPageText(owner, { pageId: pages[0]!.id });
      await expect(fn(name)(admin, { jobId: running.id })).resolves.toMatchObject({ status: "cancelled" });
      return;
    }
    await passes[name]!(await fn(name)(admin, inputs[name]!(w)), w);
  });

  it("the author's refused attempts change nothing", async () => {
    const w = await finishedJob("failed");
    const before = await t.db().select().from(aiJobs);
    await adminJobs.adminRetryJob(owner, { jobId: w.jobId }).catch(() => {});
    const { pages } = await makeStory(owner, ["x"]);
    const running = await requestPageText(owner, { pageId: pages[0]!.id });
    await adminJobs.adminCancelJob(other, { jobId: running.id }).catch(() => {});
    const after = await t.db().select().from(aiJobs);
    expect(after.length).toBe(before.length + 1); // only the job this test requested itself
    const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, running.id));
    expect(row!.status).toBe("pending");
  });
});

describe("admin server actions", () => {
  const actionFor = (name: string) =>
    (actions as unknown as Record<string, (i: unknown) => Promise<ActionResult<unknown>>>)[`${name}Action`]!;

  it("every action maps to a domain function in the matrix", () => {
    const names = Object.keys(actions).map((k) => k.replace(/Action$/, ""));
    expect(names.sort()).toEqual(["adminCancelJob", "adminRetryJob"]);
  });

  it.each(["adminRetryJob", "adminCancelJob"])("%sAction: anonymous, author → refused; admin → ok", async (name) => {
    const w = await finishedJob("failed");
    const { pages } = await makeStory(owner, ["Text."]);
    const running = await requestPageText(owner, { pageId: pages[0]!.id });
    const input = name === "adminCancelJob" ? { jobId: running.id } : { jobId: w.jobId };
    mocks.currentActor.mockResolvedValue(null);
    expect(await actionFor(name)(input)).toMatchObject({ ok: false, error: { code: "UNAUTHENTICATED" } });
    mocks.currentActor.mockResolvedValue(owner);
    expect(await actionFor(name)(input)).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    mocks.currentActor.mockResolvedValue(admin);
    expect(await actionFor(name)(input)).toMatchObject(
      name === "adminCancelJob"
        ? { ok: true, data: { id: running.id, status: "cancelled" } }
        : { ok: true, data: { pageId: w.pageId, status: "pending" } },
    );
  });
});

describe("CSV export route", () => {
  const get = (query = "") => csvRoute.GET(new Request(`http://localhost/api/admin/jobs.csv${query}`));

  it("401 anonymous, 404 author, 200 admin with the filtered rows", async () => {
    const w = await finishedJob("failed");
    mocks.currentActor.mockResolvedValue(null);
    expect((await get()).status).toBe(401);
    mocks.currentActor.mockResolvedValue(owner);
    expect((await get()).status).toBe(404);
    mocks.currentActor.mockResolvedValue(admin);
    const ok = await get(`?scopeId=${w.storyId}&status=failed`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/csv");
    const lines = (await ok.text()).trim().split("\r\n");
    expect(lines[0]).toMatch(/^"id","created_at","status","job_type","story_id","story_title"/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(w.jobId);
    expect(lines[1]).toContain("The Lighthouse");
    expect(lines[1]).toContain("GEN_TIMEOUT");
  });

  it("answers 400 for a bad filter instead of a broken file", async () => {
    mocks.currentActor.mockResolvedValue(admin);
    const bad = await get("?jobId=lighthouse");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "VALIDATION" });
  });

  it("escapes story titles that look like formulas or hold commas and quotes", async () => {
    const { story, pages } = await makeStory(owner, ["Text."], '=cmd|"calc",1');
    const job = await requestPageText(owner, { pageId: pages[0]!.id });
    mocks.currentActor.mockResolvedValue(admin);
    const text = await (await get(`?scopeId=${story.id}`)).text();
    expect(text).toContain(`"'=cmd|""calc"",1"`);
    expect(text).toContain(job.id);
  });
});

describe("retryJob (authors their own jobs, admins any)", () => {
  it("creates a new pending job linked to the old one, on the same page with the same instruction", async () => {
    const w = await finishedJob("failed");
    const retried = await retryModule.retryJob(owner, { jobId: w.jobId });
    expect(retried.id).not.toBe(w.jobId);
    expect(retried.status).toBe("pending");
    const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, retried.id));
    expect(row).toMatchObject({
      retryOf: w.jobId,
      targetId: w.pageId,
      instruction: "make it eerie",
      jobType: "page_text.revise",
      requestedBy: owner.id,
    });
    const [old] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, w.jobId));
    expect(old!.status).toBe("failed");
  });

  it("uses the page's current text, and records the admin as the requester when an admin retries", async () => {
    const w = await finishedJob("succeeded");
    await writePageContent(t.db(), {
      pageId: w.pageId,
      content: "Brand new text.",
      baseVersion: 1,
      authorId: owner.id,
      source: "human",
    });
    const retried = await adminJobs.adminRetryJob(admin, { jobId: w.jobId });
    const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, retried.id));
    expect(row!.requestedBy).toBe(admin.id);
    expect(row!.baseVersion).toBe(2);
    expect(JSON.stringify(row!.promptPayload)).toContain("Brand new text.");
  });

  it("retrying a failed write on a page the author has since filled in revises their text instead of replacing it", async () => {
    const {
      pages: [page],
    } = await makeStory(owner, [""], "Blank first");
    const write = await requestPageText(owner, { pageId: page!.id });
    await t
      .db()
      .update(aiJobs)
      .set({ status: "failed", errorCode: "GEN_TIMEOUT", completedAt: new Date() })
      .where(eq(aiJobs.id, write.id));
    await writePageContent(t.db(), {
      pageId: page!.id,
      content: "The author's own start.",
      baseVersion: 1,
      authorId: owner.id,
      source: "human",
    });
    const retried = await retryModule.retryJob(owner, { jobId: write.id });
    const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, retried.id));
    expect(row!.jobType).toBe("page_text.revise");
    expect(JSON.stringify(row!.promptPayload)).toContain("The author's own start.");
  });

  it("an admin's retry waits as a suggestion for the author; the author's own retry writes the page", async () => {
    const finish = async (jobId: string) => {
      await t
        .db()
        .update(aiJobs)
        .set({ status: "succeeded", outputText: `Output of ${jobId}`, completedAt: new Date() })
        .where(eq(aiJobs.id, jobId));
      return applyPageJobResult(jobId);
    };
    const pageText = async (pageId: string) =>
      (await t.db().select().from(pages).where(eq(pages.id, pageId)))[0]!.content;

    const byAdmin = await finishedJob("failed");
    const adminRetry = await adminJobs.adminRetryJob(admin, { jobId: byAdmin.jobId });
    expect(await finish(adminRetry.id)).toBe("suggested");
    expect(await pageText(byAdmin.pageId)).toBe("Mara climbed the lighthouse stairs.");
    const suggestions = await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.jobId, adminRetry.id));
    expect(suggestions).toHaveLength(1);

    const byOwner = await finishedJob("failed");
    const ownRetry = await retryModule.retryJob(owner, { jobId: byOwner.jobId });
    expect(await finish(ownRetry.id)).toBe("applied");
    expect(await pageText(byOwner.pageId)).toBe(`Output of ${ownRetry.id}`);
  });

  it("refuses another author (NOT_FOUND), a job still running and a page with an active job (CONFLICT)", async () => {
    const w = await finishedJob("failed");
    await expectAppError(retryModule.retryJob(other, { jobId: w.jobId }), "NOT_FOUND");
    await expectAppError(retryModule.retryJob(null, { jobId: w.jobId }), "UNAUTHENTICATED");
    await expectAppError(retryModule.retryJob(owner, { jobId: "nope" }), "VALIDATION");
    const first = await retryModule.retryJob(owner, { jobId: w.jobId });
    const busy = await expectAppError(retryModule.retryJob(owner, { jobId: w.jobId }), "CONFLICT");
    expect(busy.details).toMatchObject({ activeJobId: first.id });
    const notDone = await expectAppError(retryModule.retryJob(owner, { jobId: first.id }), "CONFLICT");
    expect(notDone.message).toMatch(/not finished/);
  });
});

describe("job detail", () => {
  it("shows the rendered prompt, the diff against the text before, timings, and the retry link both ways", async () => {
    const w = await finishedJob("succeeded");
    const detail = await adminJobs.getAdminJobDetail(admin, { jobId: w.jobId });
    expect(detail.renderedPrompt.error).toBeNull();
    expect(detail.renderedPrompt.text).toContain("The Lighthouse");
    expect(detail.renderedPrompt.text).toContain("make it eerie");
    expect(detail.before).toBe("Mara climbed the lighthouse stairs.");
    expect(detail.diff!.filter((p) => p.op !== "equal")).toEqual([{ op: "insert", text: "cold " }]);
    expect(detail.row).toMatchObject({ storyTitle: "The Lighthouse", pageNumber: 1 });
    expect(detail.timings.totalMs).toBe(detail.job.completedAt!.getTime() - detail.job.createdAt.getTime());
    expect(detail.canRetry).toBe(true);
    expect(detail.canCancel).toBe(false);
    // The breakdown the job recorded when its prompt was built: what the prompt preview showed.
    expect(detail.contextBreakdown!.sections.map((s) => s.kind)).toEqual([
      "template",
      "instruction",
      "target",
      "neighbour",
    ]);
    expect(detail.contextBreakdown!.totalTokens).toBeLessThanOrEqual(detail.contextBreakdown!.budgetTokens);
    expect(detail.contextBreakdown!.pagesRepresented).toBe(2);

    const retried = await adminJobs.adminRetryJob(admin, { jobId: w.jobId });
    const again = await adminJobs.getAdminJobDetail(admin, { jobId: w.jobId });
    expect(again.retries.map((r) => r.id)).toEqual([retried.id]);
    const child = await adminJobs.getAdminJobDetail(admin, { jobId: retried.id });
    expect(child.retryOf?.id).toBe(w.jobId);
    expect(child.canRetry).toBe(false);
    expect(child.canCancel).toBe(true);
  });

  it("answers NOT_FOUND for an unknown job", async () => {
    await expectAppError(
      adminJobs.getAdminJobDetail(admin, { jobId: "00000000-0000-4000-8000-000000000000" }),
      "NOT_FOUND",
    );
  });

  it("lists jobs with story title, page number and user email, and resolves a user filter given as an email", async () => {
    const w = await finishedJob("failed");
    const ownerEmail = (await t.db().query.users.findFirst({ where: (u, { eq: e }) => e(u.id, owner.id) }))!.email;
    const list = await adminJobs.listAdminJobs(admin, { requestedBy: ownerEmail.toUpperCase(), scopeId: w.storyId });
    expect(list.rows.map((r) => r.id)).toEqual([w.jobId]);
    expect(list.rows[0]).toMatchObject({ storyTitle: "The Lighthouse", pageNumber: 1, userEmail: ownerEmail });
    expect(list.counts).toMatchObject({ failed: 1, total: 1 });
    await expectAppError(adminJobs.listAdminJobs(admin, { requestedBy: "nobody@example.com" }), "VALIDATION");
    await expectAppError(adminJobs.listAdminJobs(admin, { cursor: "garbage" }), "VALIDATION");
  });
});
