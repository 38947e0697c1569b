import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { pageIllustrations, storedImages } from "@/db/illustrations-schema";
import { imageStoreOfKind, type ImageGenerator } from "@/lib/ai";
import { chooseIllustration, requestIllustration, type Actor } from "@/lib/stories";
import { attemptRetentionMsFromEnv, purgeUnchosenAttempts } from "@/lib/stories/illustrations/purge";
import { runIllustrationJob } from "@/lib/stories/illustrations/run";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";
import { fakeImageModel, fastRetry, illustrationRowsOf, jobRow, samplePng, useS3rver } from "./helpers";

vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

useTestDb();

const DAY = 86_400_000;
const THIRTY_DAYS = 30 * DAY;
const png: ImageGenerator = async () => ({ bytes: samplePng(), claimedType: "image/png" });

let author: Actor;
beforeAll(async () => {
  author = await makeActor();
});

/** One attempt, made by a real Illustrate job, then dated `ageDays` ago. */
async function attempt(pageId: string, ageDays: number) {
  const { job } = await requestIllustration(author, { pageId });
  const result = await runIllustrationJob(job.id, { model: fakeImageModel(png), retry: fastRetry });
  if (result.outcome !== "succeeded") throw new Error(`illustration ${result.outcome}`);
  await (await getDb())
    .update(pageIllustrations)
    .set({ createdAt: new Date(Date.now() - ageDays * DAY) })
    .where(eq(pageIllustrations.id, result.illustrationId));
  const [row] = await (await getDb())
    .select()
    .from(pageIllustrations)
    .where(eq(pageIllustrations.id, result.illustrationId));
  return { jobId: job.id, row: row! };
}

async function storedKeys(keys: string[]): Promise<string[]> {
  const rows = await (await getDb())
    .select({ key: storedImages.key })
    .from(storedImages)
    .where(inArray(storedImages.key, keys));
  return rows.map((r) => r.key).sort();
}

describe("purge of illustration attempts nobody chose", () => {
  it("removes the bytes and rows of unchosen attempts older than the limit; keeps the chosen one, the young ones and the ledger", async () => {
    const {
      pages: [chosenPage, openPage],
    } = await makeStory(author, ["Mara lit the lamp at night.", "Tomas waited on the pier."]);
    // A page with a choice: three old attempts, one of them chosen.
    const a1 = await attempt(chosenPage!.id, 45);
    const a2 = await attempt(chosenPage!.id, 40);
    const a3 = await attempt(chosenPage!.id, 31);
    await chooseIllustration(author, { illustrationId: a2.row.id });
    // A page without a choice yet: one attempt past the limit, two younger.
    const b1 = await attempt(openPage!.id, 31);
    const b2 = await attempt(openPage!.id, 29);
    const b3 = await attempt(openPage!.id, 0);
    const all = [a1, a2, a3, b1, b2, b3];
    const purged = [a1, a3, b1];
    expect(await storedKeys(all.map((a) => a.row.imageKey))).toHaveLength(6);

    const report = await purgeUnchosenAttempts(await getDb(), { retentionMs: THIRTY_DAYS });
    expect(report).toEqual({ purged: 3, kept: 0, bytesFreed: purged.reduce((n, a) => n + a.row.byteSize, 0) });

    expect((await illustrationRowsOf(chosenPage!.id)).map((r) => r.id)).toEqual([a2.row.id]);
    expect((await illustrationRowsOf(openPage!.id)).map((r) => r.id).sort()).toEqual([b2.row.id, b3.row.id].sort());
    expect(await storedKeys(all.map((a) => a.row.imageKey))).toEqual([a2, b2, b3].map((a) => a.row.imageKey).sort());
    // Job history is never deleted: the Illustrate jobs of purged attempts stay, marked, and name no bytes.
    for (const a of purged) {
      const job = await jobRow(a.jobId);
      expect(job.status).toBe("succeeded");
      const output = JSON.parse(job.outputText!) as Record<string, unknown>;
      expect(output).toMatchObject({ illustrationId: a.row.id, purgedAt: expect.any(String) });
      expect(job.outputText).not.toContain(a.row.imageKey);
    }
    expect(JSON.parse((await jobRow(a2.jobId)).outputText!)).not.toHaveProperty("purgedAt");

    // A second run finds nothing more to do.
    expect(await purgeUnchosenAttempts(await getDb(), { retentionMs: THIRTY_DAYS })).toEqual({
      purged: 0,
      kept: 0,
      bytesFreed: 0,
    });
  });

  it("a limit of 0 keeps everything; a run's limit leaves the rest for the next run", async () => {
    const {
      pages: [page],
    } = await makeStory(author, ["The fog came in."]);
    await attempt(page!.id, 100);
    await attempt(page!.id, 90);
    expect((await purgeUnchosenAttempts(await getDb(), { retentionMs: 0 })).purged).toBe(0);
    expect(await illustrationRowsOf(page!.id)).toHaveLength(2);
    expect((await purgeUnchosenAttempts(await getDb(), { retentionMs: THIRTY_DAYS, limit: 1 })).purged).toBe(1);
    expect(await illustrationRowsOf(page!.id)).toHaveLength(1);
    expect((await purgeUnchosenAttempts(await getDb(), { retentionMs: THIRTY_DAYS, limit: 1 })).purged).toBe(1);
    expect(await illustrationRowsOf(page!.id)).toHaveLength(0);
  });

  it("runs in the background: the app serves a cron function that purges", async () => {
    const { functions } = await import("@/app/api/inngest/functions");
    const purge = functions.find((fn) => fn.id() === "purge-illustration-attempts");
    expect((purge?.opts as { triggers?: { cron?: string }[] } | undefined)?.triggers).toEqual([{ cron: "23 * * * *" }]);
  });

  it("ILLUSTRATION_ATTEMPT_RETENTION_DAYS: 30 days by default, fractions, 0/off keeps all, a typo keeps the default", () => {
    expect(attemptRetentionMsFromEnv({})).toEqual({ retentionMs: THIRTY_DAYS });
    expect(attemptRetentionMsFromEnv({ ILLUSTRATION_ATTEMPT_RETENTION_DAYS: "7" })).toEqual({ retentionMs: 7 * DAY });
    expect(attemptRetentionMsFromEnv({ ILLUSTRATION_ATTEMPT_RETENTION_DAYS: "0.5" })).toEqual({ retentionMs: DAY / 2 });
    expect(attemptRetentionMsFromEnv({ ILLUSTRATION_ATTEMPT_RETENTION_DAYS: "off" })).toEqual({ retentionMs: 0 });
    expect(attemptRetentionMsFromEnv({ ILLUSTRATION_ATTEMPT_RETENTION_DAYS: "0" })).toEqual({ retentionMs: 0 });
    const typo = attemptRetentionMsFromEnv({ ILLUSTRATION_ATTEMPT_RETENTION_DAYS: "thirty" });
    expect(typo.retentionMs).toBe(THIRTY_DAYS);
    expect(typo.problem).toMatch(/not a number of days/);
  });

  describe("attempts in an S3-compatible bucket (s3rver, a local stand-in)", () => {
    const s3 = useS3rver();
    let env: Record<string, string> = {};

    beforeAll(() => {
      env = {
        IMAGE_S3_BUCKET: "illustrations",
        IMAGE_S3_ENDPOINT: s3.endpoint,
        IMAGE_S3_ACCESS_KEY_ID: "S3RVER",
        IMAGE_S3_SECRET_ACCESS_KEY: "S3RVER",
        IMAGE_S3_PREFIX: "purge/",
      };
    });

    afterAll(() => {
      vi.unstubAllEnvs();
    });

    it("deletes the object and the row of an old unchosen attempt; keeps the chosen one's object", async () => {
      const {
        pages: [page],
      } = await makeStory(author, ["Grey Harbour slept under the fog."]);
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      const old = await attempt(page!.id, 31);
      const chosen = await attempt(page!.id, 31);
      vi.unstubAllEnvs();
      expect([old.row.storage, chosen.row.storage]).toEqual(["s3", "s3"]);
      await chooseIllustration(author, { illustrationId: chosen.row.id });
      const store = imageStoreOfKind(await getDb(), "s3", env)!;
      expect(await store.get(old.row.imageKey)).not.toBeNull();

      // With the bucket no longer configured the bytes cannot be deleted: the row stays for a later run.
      expect(await purgeUnchosenAttempts(await getDb(), { retentionMs: THIRTY_DAYS, env: {} })).toMatchObject({
        purged: 0,
        kept: 1,
      });
      expect(await illustrationRowsOf(page!.id)).toHaveLength(2);

      const report = await purgeUnchosenAttempts(await getDb(), { retentionMs: THIRTY_DAYS, env });
      expect(report).toEqual({ purged: 1, kept: 0, bytesFreed: old.row.byteSize });
      expect(await store.get(old.row.imageKey)).toBeNull();
      expect(await store.get(chosen.row.imageKey)).not.toBeNull();
      expect((await illustrationRowsOf(page!.id)).map((r) => r.id)).toEqual([chosen.row.id]);
      const [job] = await (await getDb()).select().from(aiJobs).where(eq(aiJobs.id, old.jobId));
      expect(job?.status).toBe("succeeded");
    });
  });
});
