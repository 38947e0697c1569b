import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { users } from "@/db/schema";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory } from "../helpers/fixtures";
import { v1 } from "@/lib/http/v1-operations";
import type { ErrorAnswer } from "./route-call";
import { contractCheckedCallRoute } from "./v1-contract";
import { raceName, raceTest } from "../helpers/postgres-only";

/** Budgets and the rate limit, enforced at every boundary that creates jobs: the domain, the action, REST v1, validate. */
const mocks = vi.hoisted(() => ({
  currentActor: vi.fn<() => Promise<{ id: string; role: "author" | "admin" } | null>>(),
}));
vi.mock("@/lib/auth", () => ({ currentActor: mocks.currentActor }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

const { requestPageText, setUserBudget, listUserBudgets } = await import("@/lib/stories");
const { assertCanRequestAi, aiAllowance, formatWait } = await import("@/lib/stories/spending-policy");
const { requestPageTextAction } = await import("@/app/actions/generation");
const { setUserBudgetAction, getAiAllowanceAction } = await import("@/app/actions/budgets");
const { createApiToken } = await import("@/lib/auth/api-tokens");
const generateRoute = await import("@/app/api/v1/pages/[pageId]/generate/route");
const validateRoute = await import("@/app/api/v1/generations/validate/route");
const callRoute = contractCheckedCallRoute([
  [generateRoute.POST, v1.generatePage],
  [validateRoute.POST, v1.validateGeneration],
]);

const { db } = useTestDb();

let admin: Actor;
beforeAll(async () => {
  admin = await makeActor("admin");
});
afterEach(() => {
  vi.unstubAllEnvs();
  mocks.currentActor.mockReset();
});

/** A finished job that consumed tokens, created `agoMs` before `now`. */
async function spend(
  actor: Actor,
  pageId: string,
  tokens: number,
  options: { costUsd?: number; status?: "succeeded" | "failed"; at?: Date } = {},
) {
  await db()
    .insert(aiJobs)
    .values({
      jobType: "page_text.revise",
      status: options.status ?? "succeeded",
      targetType: "page",
      targetId: pageId,
      requestedBy: actor.id,
      templateKey: "page_revise",
      templateVersion: 1,
      provider: "offline",
      model: "offline",
      promptPayload: {},
      outputText: options.status === "failed" ? null : "text",
      errorCode: options.status === "failed" ? "GEN_TIMEOUT" : null,
      inputTokens: Math.floor(tokens / 2),
      outputTokens: tokens - Math.floor(tokens / 2),
      costUsd: options.costUsd === undefined ? null : options.costUsd.toFixed(6),
      createdAt: options.at ?? new Date(),
    });
}

async function jobCount(actor: Actor): Promise<number> {
  return (await db().select().from(aiJobs).where(eq(aiJobs.requestedBy, actor.id))).length;
}

describe("daily budget", () => {
  it("refuses a new job past the token budget, saying when it resets, and creates nothing", async () => {
    vi.stubEnv("AI_DAILY_TOKEN_BUDGET", "1000");
    const author = await makeActor();
    const { pages } = await makeStory(author, ["Some text.", ""]);
    await spend(author, pages[0]!.id, 600);
    await spend(author, pages[0]!.id, 450, { status: "failed" }); // failed jobs count what they consumed
    const before = await jobCount(author);
    const error = await expectAppError(requestPageText(author, { pageId: pages[1]!.id }), "GEN_BUDGET_EXCEEDED");
    expect(error.status).toBe(429);
    expect(error.message).toMatch(/1,050 of 1,000 tokens/);
    expect(error.message).toMatch(/resets at 00:00 UTC, in /);
    const resetsAt = new Date(String(error.details?.resetsAt));
    expect(resetsAt.getUTCHours()).toBe(0);
    expect(resetsAt.getTime()).toBeGreaterThan(Date.now());
    expect(await jobCount(author)).toBe(before);
  });

  it("says exactly how long until the reset", async () => {
    vi.stubEnv("AI_DAILY_TOKEN_BUDGET", "100");
    const author = await makeActor();
    const { pages } = await makeStory(author, ["x"]);
    const now = new Date("2030-05-01T20:48:00.000Z");
    await spend(author, pages[0]!.id, 200, { at: new Date("2030-05-01T10:00:00.000Z") });
    const error = await expectAppError(assertCanRequestAi(db(), author, { now }), "GEN_BUDGET_EXCEEDED");
    expect(error.message).toContain("resets at 00:00 UTC, in 3 h 12 min");
    expect(error.details?.resetsAt).toBe("2030-05-02T00:00:00.000Z");
    // Yesterday's usage does not count today.
    await expect(
      assertCanRequestAi(db(), author, { now: new Date("2030-05-02T00:00:01.000Z") }),
    ).resolves.toMatchObject({ tokensUsed: 0 });
  });

  it("refuses past the cost budget too", async () => {
    vi.stubEnv("AI_DAILY_COST_BUDGET_USD", "0.50");
    const author = await makeActor();
    const { pages } = await makeStory(author, ["x", ""]);
    await spend(author, pages[0]!.id, 10, { costUsd: 0.5 });
    const error = await expectAppError(requestPageText(author, { pageId: pages[1]!.id }), "GEN_BUDGET_EXCEEDED");
    expect(error.message).toContain("$0.50 of $0.50");
  });

  it("a user's own budget beats the server default, both ways", async () => {
    vi.stubEnv("AI_DAILY_TOKEN_BUDGET", "1000");
    const generous = await makeActor();
    const strict = await makeActor();
    const a = await makeStory(generous, ["x", ""]);
    const b = await makeStory(strict, ["x", ""]);
    await spend(generous, a.pages[0]!.id, 1500);
    await setUserBudget(admin, { userId: generous.id, dailyTokenBudget: 5000, dailyCostBudgetUsd: "" });
    await setUserBudget(admin, { userId: strict.id, dailyTokenBudget: 0, dailyCostBudgetUsd: null });
    await expect(requestPageText(generous, { pageId: a.pages[1]!.id })).resolves.toMatchObject({ status: "pending" });
    await expectAppError(requestPageText(strict, { pageId: b.pages[1]!.id }), "GEN_BUDGET_EXCEEDED");
    const allowance = await aiAllowance(db(), generous);
    expect(allowance).toMatchObject({ tokenBudget: 5000, tokenBudgetSource: "user", tokensUsed: 1500 });
    // The job just requested is still pending: its estimate is set aside too.
    expect(allowance.tokensReserved).toBeGreaterThan(0);
    expect(allowance.tokensLeft).toBe(3500 - allowance.tokensReserved);
  });

  it("joins a job already running even when over budget (no new job)", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, [""]);
    const running = await requestPageText(author, { pageId: pages[0]!.id });
    vi.stubEnv("AI_DAILY_TOKEN_BUDGET", "0");
    const joined = await requestPageText(author, { pageId: pages[0]!.id });
    expect(joined.id).toBe(running.id);
    expect(await jobCount(author)).toBe(1);
  });

  it("counts jobs still running against the budget, so requests started together cannot all spend what is left", async () => {
    const author = await makeActor();
    await db().update(users).set({ dailyTokenBudget: 1_000 }).where(eq(users.id, author.id));
    // Each page job's prompt carries the whole story: about 1,500 tokens here, more than the budget.
    const { pages } = await makeStory(author, ["Long page. ".repeat(550), "Another page."]);
    await requestPageText(author, { pageId: pages[0]!.id });
    const allowance = await aiAllowance(db(), author);
    expect(allowance).toMatchObject({ tokensUsed: 0, tokenBudget: 1_000, tokensLeft: 0 });
    expect(allowance.tokensReserved).toBeGreaterThan(1_000);

    const error = await expectAppError(requestPageText(author, { pageId: pages[1]!.id }), "GEN_BUDGET_EXCEEDED");
    expect(error.message).toMatch(/still running may use the rest of today's budget/);
    expect(error.details).toMatchObject({ tokensUsed: 0, tokenBudget: 1_000 });
    expect(await jobCount(author)).toBe(1);

    // Once the first job is over, what it recorded counts instead of the estimate.
    await db()
      .update(aiJobs)
      .set({ status: "succeeded", outputText: "x", inputTokens: 300, outputTokens: 100, completedAt: new Date() })
      .where(eq(aiJobs.requestedBy, author.id));
    expect(await aiAllowance(db(), author)).toMatchObject({ tokensUsed: 400, tokensReserved: 0, tokensLeft: 600 });
    await expect(requestPageText(author, { pageId: pages[1]!.id })).resolves.toMatchObject({
      pageId: pages[1]!.id,
      status: "pending",
    });
    expect(await jobCount(author)).toBe(2);
  });

  it("is unlimited when no budget is configured", async () => {
    const author = await makeActor();
    const { pages } = await makeStory(author, ["x", ""]);
    await spend(author, pages[0]!.id, 10_000_000);
    await expect(requestPageText(author, { pageId: pages[1]!.id })).resolves.toMatchObject({ status: "pending" });
  });

  it("a malformed env value is an error, not a silently lifted limit", async () => {
    vi.stubEnv("AI_DAILY_TOKEN_BUDGET", "lots");
    const author = await makeActor();
    await expect(assertCanRequestAi(db(), author)).rejects.toThrow(/AI_DAILY_TOKEN_BUDGET/);
  });
});

describe("the budget's edge: exactly at the limit is used up, one below is not", () => {
  // A fixed clock 3 h 12 min before the reset, so the whole message can be compared.
  const now = new Date("2030-05-01T20:48:00.000Z");
  const at = new Date("2030-05-01T10:00:00.000Z");

  it("tokens: 999 of 1,000 passes; 1,000 and 1,001 are refused with the numbers and the reset in the message", async () => {
    vi.stubEnv("AI_DAILY_TOKEN_BUDGET", "1000");
    const below = await makeActor();
    const exactly = await makeActor();
    const over = await makeActor();
    for (const [actor, tokens] of [
      [below, 999],
      [exactly, 1000],
      [over, 1001],
    ] as const) {
      const { pages } = await makeStory(actor, ["x"]);
      await spend(actor, pages[0]!.id, tokens, { at });
    }
    await expect(assertCanRequestAi(db(), below, { now })).resolves.toMatchObject({ tokensUsed: 999, tokensLeft: 1 });
    const atLimit = await expectAppError(assertCanRequestAi(db(), exactly, { now }), "GEN_BUDGET_EXCEEDED");
    expect(atLimit.message).toBe(
      "You have used your AI budget for today (1,000 of 1,000 tokens). It resets at 00:00 UTC, in 3 h 12 min.",
    );
    expect(atLimit.details).toMatchObject({
      tokensUsed: 1000,
      tokenBudget: 1000,
      resetsAt: "2030-05-02T00:00:00.000Z",
    });
    const past = await expectAppError(assertCanRequestAi(db(), over, { now }), "GEN_BUDGET_EXCEEDED");
    expect(past.message).toBe(
      "You have used your AI budget for today (1,001 of 1,000 tokens). It resets at 00:00 UTC, in 3 h 12 min.",
    );
  });

  it("dollars: $0.49 of $0.50 passes; $0.50 and $0.51 are refused with the amounts in the message", async () => {
    vi.stubEnv("AI_DAILY_COST_BUDGET_USD", "0.50");
    const below = await makeActor();
    const exactly = await makeActor();
    const over = await makeActor();
    for (const [actor, costUsd] of [
      [below, 0.49],
      [exactly, 0.5],
      [over, 0.51],
    ] as const) {
      const { pages } = await makeStory(actor, ["x"]);
      await spend(actor, pages[0]!.id, 10, { costUsd, at });
    }
    await expect(assertCanRequestAi(db(), below, { now })).resolves.toMatchObject({ costUsedUsd: 0.49 });
    const atLimit = await expectAppError(assertCanRequestAi(db(), exactly, { now }), "GEN_BUDGET_EXCEEDED");
    expect(atLimit.message).toBe(
      "You have used your AI budget for today ($0.50 of $0.50). It resets at 00:00 UTC, in 3 h 12 min.",
    );
    const past = await expectAppError(assertCanRequestAi(db(), over, { now }), "GEN_BUDGET_EXCEEDED");
    expect(past.message).toBe(
      "You have used your AI budget for today ($0.51 of $0.50). It resets at 00:00 UTC, in 3 h 12 min.",
    );
  });
});

describe("rate limit", () => {
  it("refuses the job past the per-minute limit with how long to wait", async () => {
    vi.stubEnv("AI_RATE_LIMIT_PER_MINUTE", "2");
    const author = await makeActor();
    const { pages } = await makeStory(author, ["", "", ""]);
    await requestPageText(author, { pageId: pages[0]!.id });
    await requestPageText(author, { pageId: pages[1]!.id });
    const error = await expectAppError(requestPageText(author, { pageId: pages[2]!.id }), "RATE_LIMITED");
    expect(error.status).toBe(429);
    const wait = error.details?.retryAfterSeconds as number;
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await jobCount(author)).toBe(2);
    // Another user is not affected.
    const other = await makeActor();
    const { pages: otherPages } = await makeStory(other, [""]);
    await expect(requestPageText(other, { pageId: otherPages[0]!.id })).resolves.toMatchObject({
      pageId: otherPages[0]!.id,
      status: "pending",
    });
    expect(await jobCount(other)).toBe(1);
  });

  raceTest(raceName("holds under concurrent requests: exactly the limit is admitted, the rest refused"), async () => {
    vi.stubEnv("AI_RATE_LIMIT_PER_MINUTE", "3");
    const author = await makeActor();
    const { pages } = await makeStory(author, ["", "", "", "", "", "", "", ""]);
    const outcomes = await Promise.allSettled(pages.map((page) => requestPageText(author, { pageId: page.id })));
    const refused = outcomes.filter((o) => o.status === "rejected");
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const outcome of refused)
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: "RATE_LIMITED" });
    expect(await jobCount(author)).toBe(3);
  });

  raceTest(raceName("a double click at the limit joins the first job instead of being refused"), async () => {
    vi.stubEnv("AI_RATE_LIMIT_PER_MINUTE", "1");
    const author = await makeActor();
    const { pages } = await makeStory(author, [""]);
    const [first, second] = await Promise.all([
      requestPageText(author, { pageId: pages[0]!.id }),
      requestPageText(author, { pageId: pages[0]!.id }),
    ]);
    expect(second.id).toBe(first.id);
    expect(await jobCount(author)).toBe(1);
  });

  it("counts only the last minute", async () => {
    vi.stubEnv("AI_RATE_LIMIT_PER_MINUTE", "1");
    const author = await makeActor();
    const { pages } = await makeStory(author, ["x"]);
    const now = new Date();
    await spend(author, pages[0]!.id, 1, { at: new Date(now.getTime() - 61_000) });
    // The job from 61 s ago is outside the window: nothing counts against the limit of 1.
    await expect(assertCanRequestAi(db(), author, { now })).resolves.toMatchObject({
      ratePerMinute: 1,
      tokenBudget: null,
      costBudgetUsd: null,
    });
    await spend(author, pages[0]!.id, 1, { at: new Date(now.getTime() - 20_000) });
    const error = await expectAppError(assertCanRequestAi(db(), author, { now }), "RATE_LIMITED");
    expect(error.details?.retryAfterSeconds).toBe(40);
  });

  it("formats waits for people", () => {
    expect(formatWait(40_000)).toBe("40 s");
    expect(formatWait(12 * 60_000)).toBe("12 min");
    expect(formatWait(3 * 3_600_000 + 12 * 60_000)).toBe("3 h 12 min");
    expect(formatWait(2 * 3_600_000)).toBe("2 h");
  });
});

describe("at the boundaries", () => {
  it("the server action answers GEN_BUDGET_EXCEEDED with the message", async () => {
    vi.stubEnv("AI_DAILY_TOKEN_BUDGET", "0");
    const author = await makeActor();
    const { pages } = await makeStory(author, [""]);
    mocks.currentActor.mockResolvedValue(author);
    const result = await requestPageTextAction({ pageId: pages[0]!.id });
    expect(result).toMatchObject({
      ok: false,
      error: { code: "GEN_BUDGET_EXCEEDED", details: { resetsAt: expect.any(String) } },
    });
    const allowance = await getAiAllowanceAction();
    expect(allowance).toMatchObject({ ok: true, data: { tokenBudget: 0, tokensLeft: 0 } });
  });

  it("REST generate and validate answer 429 with Retry-After", async () => {
    vi.stubEnv("AI_DAILY_TOKEN_BUDGET", "0");
    const author = await makeActor();
    const { pages } = await makeStory(author, [""]);
    const { secret } = await createApiToken(author, { name: "budget" });
    const generated = await callRoute(generateRoute.POST, {
      token: secret,
      body: {},
      params: { pageId: pages[0]!.id },
    });
    expect(generated.status).toBe(429);
    expect(generated.body).toMatchObject({
      code: "GEN_BUDGET_EXCEEDED",
      message: expect.stringContaining("00:00 UTC"),
    });
    expect(Number(generated.headers.get("retry-after"))).toBeGreaterThan(0);
    const validated = await callRoute<ErrorAnswer>(validateRoute.POST, {
      token: secret,
      body: { pageId: pages[0]!.id },
    });
    expect(validated.status).toBe(429);
    expect(validated.body.code).toBe("GEN_BUDGET_EXCEEDED");

    vi.stubEnv("AI_DAILY_TOKEN_BUDGET", "");
    vi.stubEnv("AI_RATE_LIMIT_PER_MINUTE", "1");
    const { pages: more } = await makeStory(author, ["", ""]);
    expect(
      (await callRoute(generateRoute.POST, { token: secret, body: {}, params: { pageId: more[0]!.id } })).status,
    ).toBe(202);
    const limited = await callRoute<ErrorAnswer>(generateRoute.POST, {
      token: secret,
      body: {},
      params: { pageId: more[1]!.id },
    });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(
      (await callRoute<ErrorAnswer>(validateRoute.POST, { token: secret, body: { pageId: more[1]!.id } })).body.code,
    ).toBe("RATE_LIMITED");
  });
});

describe("admins edit budgets", () => {
  it("an admin sets and clears a user's budget; an author cannot", async () => {
    const author = await makeActor();
    mocks.currentActor.mockResolvedValue(author);
    expect(await setUserBudgetAction({ userId: author.id, dailyTokenBudget: 999999 })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    await expectAppError(listUserBudgets(author), "NOT_FOUND");
    await expectAppError(listUserBudgets(null), "UNAUTHENTICATED");

    mocks.currentActor.mockResolvedValue(admin);
    const set = await setUserBudgetAction({ userId: author.id, dailyTokenBudget: "12000", dailyCostBudgetUsd: "1.5" });
    expect(set).toMatchObject({ ok: true, data: { dailyTokenBudget: 12000, dailyCostBudgetUsd: 1.5 } });
    const [row] = await db().select().from(users).where(eq(users.id, author.id));
    expect(row!.dailyTokenBudget).toBe(12000);
    expect(Number(row!.dailyCostBudgetUsd)).toBe(1.5);

    const bad = await setUserBudgetAction({ userId: author.id, dailyTokenBudget: "-5", dailyCostBudgetUsd: "" });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: "VALIDATION", details: { fields: { dailyTokenBudget: expect.any(String) } } },
    });
    expect(await setUserBudgetAction({ userId: crypto.randomUUID(), dailyTokenBudget: "" })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });

    const cleared = await setUserBudgetAction({ userId: author.id, dailyTokenBudget: "", dailyCostBudgetUsd: "" });
    expect(cleared).toMatchObject({ ok: true, data: { dailyTokenBudget: null, dailyCostBudgetUsd: null } });
    const listed = await listUserBudgets(admin);
    expect(listed.users.find((u) => u.id === author.id)).toMatchObject({ tokensToday: 0, jobsToday: 0 });
  });
});
