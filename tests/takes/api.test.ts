import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { v1 } from "@/lib/http/v1-operations";
import { openApiDocument } from "@/lib/http/openapi";
import type { Actor, TakeSetView } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory, pageRow, snapshot } from "../helpers/fixtures";
import type { ErrorAnswer } from "../api/route-call";
import { contractCheckedCallRoute } from "../api/v1-contract";

/**
 * REST v1 of takes, and the domain functions' authorization rows: anonymous → UNAUTHENTICATED, another author →
 * NOT_FOUND (nothing revealed, nothing changed), the owner and an admin through. No engine runs: takes are finished
 * by writing their rows, as a run would.
 */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

const tokens = await import("@/lib/auth/api-tokens");
const domain = await import("@/lib/stories");
const create = await import("@/app/api/v1/pages/[pageId]/takes/route");
const read = await import("@/app/api/v1/takes/[setId]/route");
const more = await import("@/app/api/v1/takes/[setId]/more/route");
const choose = await import("@/app/api/v1/takes/[setId]/choose/route");
const cancel = await import("@/app/api/v1/takes/[setId]/cancel/route");

const callRoute = contractCheckedCallRoute([
  [create.POST, v1.requestTakes],
  [read.GET, v1.getTakeSet],
  [more.POST, v1.requestAnotherTake],
  [choose.POST, v1.chooseTake],
  [cancel.POST, v1.cancelTakeSet],
]);

const { db } = useTestDb();
let a: Actor;
let b: Actor;
let admin: Actor;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  a = await makeActor();
  b = await makeActor();
  admin = await makeActor("admin");
  tokenA = (await tokens.createApiToken(a, { name: "A" })).secret;
  tokenB = (await tokens.createApiToken(b, { name: "B" })).secret;
});

/** Finishes every take of a set as a run would (text, tokens, landed), and the set with them. */
async function finishTakes(setId: string): Promise<void> {
  const children = await db().select().from(aiJobs).where(eq(aiJobs.parentJobId, setId));
  const now = new Date();
  for (const [i, child] of children.entries())
    await db()
      .update(aiJobs)
      .set({
        status: "succeeded",
        outputText: `Take ${i + 1}.`,
        inputTokens: 10,
        outputTokens: 5,
        costUsd: "0.0001",
        startedAt: now,
        completedAt: now,
        landedAt: now,
      })
      .where(eq(aiJobs.id, child.id));
  await db().update(aiJobs).set({ status: "succeeded", completedAt: now }).where(eq(aiJobs.id, setId));
}

describe("REST v1: takes", () => {
  it("creates a set (202, Location), reads it, adds a take, chooses one; the document lists every route", async () => {
    const { pages } = await makeStory(a, ["Text to revise."]);
    const created = await callRoute<{ created: boolean; set: TakeSetView }>(create.POST, {
      token: tokenA,
      params: { pageId: pages[0]!.id },
      body: { count: 2, instruction: "darker" },
    });
    expect(created.status).toBe(202);
    expect(created.body.created).toBe(true);
    expect(created.body.set.takes).toHaveLength(2);
    expect(created.headers.get("location")).toBe(`/api/v1/takes/${created.body.set.id}`);
    const setId = created.body.set.id;

    // A second request joins the open set.
    const joined = await callRoute<{ created: boolean; set: TakeSetView }>(create.POST, {
      token: tokenA,
      params: { pageId: pages[0]!.id },
    });
    expect(joined).toMatchObject({ status: 202, body: { created: false, set: { id: setId } } });

    await finishTakes(setId);
    const got = await callRoute<TakeSetView>(read.GET, { token: tokenA, params: { setId } });
    expect(got.body.state).toBe("ready");
    expect(got.body.takes.map((take) => take.text).sort()).toEqual(["Take 1.", "Take 2."]);
    expect(got.body.takes.map((take) => take.id)).toEqual(created.body.set.takes.map((take) => take.id));

    const added = await callRoute<TakeSetView>(more.POST, { token: tokenA, params: { setId } });
    expect(added.status).toBe(202);
    expect(added.body.takes).toHaveLength(3);
    expect(added.body.state).toBe("writing");
    await finishTakes(setId);

    const chosen = await callRoute<TakeSetView>(choose.POST, {
      token: tokenA,
      params: { setId },
      body: { takeId: got.body.takes[1]!.id },
    });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toMatchObject({ state: "chosen", landing: "applied", chosenTakeId: got.body.takes[1]!.id });
    expect((await pageRow(pages[0]!.id))!.content).toBe(got.body.takes[1]!.text);

    const paths = Object.keys(openApiDocument().paths);
    for (const path of [
      "/api/v1/pages/{pageId}/takes",
      "/api/v1/takes/{setId}",
      "/api/v1/takes/{setId}/more",
      "/api/v1/takes/{setId}/choose",
      "/api/v1/takes/{setId}/cancel",
    ])
      expect(paths).toContain(path);
  });

  it("bad input: count outside 2–4, another page's take, a discarded take, a chosen set — clear errors, nothing created", async () => {
    const { pages } = await makeStory(a, ["One.", "Two."]);
    const before = await snapshot();
    for (const count of [1, 5, 0, 3.5]) {
      const res = await callRoute<ErrorAnswer>(create.POST, {
        token: tokenA,
        params: { pageId: pages[0]!.id },
        body: { count },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("VALIDATION");
      expect(res.body.message).toMatch(/takes/);
    }
    expect(await snapshot()).toEqual(before);

    const one = (
      await callRoute<{ set: TakeSetView }>(create.POST, {
        token: tokenA,
        params: { pageId: pages[0]!.id },
        body: { count: 2 },
      })
    ).body.set;
    const two = (
      await callRoute<{ set: TakeSetView }>(create.POST, {
        token: tokenA,
        params: { pageId: pages[1]!.id },
        body: { count: 2 },
      })
    ).body.set;
    await finishTakes(one.id);
    await finishTakes(two.id);
    const foreign = await callRoute<ErrorAnswer>(choose.POST, {
      token: tokenA,
      params: { setId: one.id },
      body: { takeId: two.takes[0]!.id },
    });
    expect(foreign).toMatchObject({ status: 400, body: { code: "VALIDATION" } });
    const missingBody = await callRoute<ErrorAnswer>(choose.POST, {
      token: tokenA,
      params: { setId: one.id },
      body: {},
    });
    expect(missingBody).toMatchObject({ status: 400, body: { code: "VALIDATION" } });

    await callRoute(choose.POST, { token: tokenA, params: { setId: one.id }, body: { takeId: one.takes[0]!.id } });
    const discarded = await callRoute<ErrorAnswer>(choose.POST, {
      token: tokenA,
      params: { setId: one.id },
      body: { takeId: one.takes[1]!.id },
    });
    expect(discarded).toMatchObject({ status: 409, body: { code: "CONFLICT" } });
    const moreOnChosen = await callRoute<ErrorAnswer>(more.POST, { token: tokenA, params: { setId: one.id } });
    expect(moreOnChosen).toMatchObject({ status: 409, body: { code: "CONFLICT" } });
    expect(await db().select().from(aiJobs).where(eq(aiJobs.parentJobId, one.id))).toHaveLength(2);
    expect((await pageRow(pages[1]!.id))!.content).toBe("Two.");

    // Another author's token: the set does not exist for them.
    const theirs = await callRoute<ErrorAnswer>(read.GET, { token: tokenB, params: { setId: two.id } });
    expect(theirs).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
  });
});

describe("takes: authorization of every domain function", () => {
  type Fn = (actor: Actor | null, input: unknown) => Promise<unknown>;
  const fns = domain as unknown as Record<string, Fn>;
  /** A fresh set of A's per call: two finished takes on a page with text. */
  async function world() {
    const { pages } = await makeStory(a, ["Text.", "More."]);
    const { set } = await domain.requestTakes(a, { pageId: pages[0]!.id, count: 2 });
    await finishTakes(set.id);
    return { pageId: pages[0]!.id, otherPageId: pages[1]!.id, setId: set.id, takeId: set.takes[0]!.id };
  }
  const inputs: Record<string, (w: Awaited<ReturnType<typeof world>>) => unknown> = {
    requestTakes: (w) => ({ pageId: w.otherPageId, count: 2 }),
    getOpenTakeSet: (w) => ({ pageId: w.pageId }),
    getTakeSet: (w) => ({ setId: w.setId }),
    requestAnotherTake: (w) => ({ setId: w.setId }),
    chooseTake: (w) => ({ setId: w.setId, takeId: w.takeId }),
    cancelTakeSet: (w) => ({ setId: w.setId }),
  };

  it.each(Object.keys(inputs))(
    "%s: anonymous → UNAUTHENTICATED, another author → NOT_FOUND and nothing changes",
    async (name) => {
      const w = await world();
      await expect(fns[name]!(null, inputs[name]!(w))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
      const before = await snapshot();
      await expect(fns[name]!(b, inputs[name]!(w))).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each(Object.keys(inputs))("%s: the owner and an admin are let through", async (name) => {
    for (const actor of [a, admin]) {
      const w = await world();
      await expect(fns[name]!(actor, inputs[name]!(w))).resolves.toBeDefined();
    }
  });
});
