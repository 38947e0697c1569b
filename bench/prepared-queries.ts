/*
 * Queries built once per database handle (`npm run bench:prepared`): the reads on every Generate and on every tick of
 * a story's live view, as production runs them (db/prepared-queries.ts), side by side in one run with the same query
 * built by Drizzle on every call (the code they replaced, copied below). Drizzle turns a query into SQL text anew on
 * each call; for a wide row that costs more CPU than the round trip (a profile of `bench:api` put 18% of the server's
 * CPU in Drizzle's query building during the Generate phase).
 *
 * Measured in-process against a fresh PostgreSQL database (BENCH_DATABASE_URL / DATABASE_URL's server, created and
 * dropped; default postgres://postgres@127.0.0.1:5432/postgres): BENCH_ROUNDS [15] rounds, each running every variant
 * BENCH_CALLS [400] times in turn (the order alternates), one call at a time. Per round: CPU (user + system of this
 * process) per call, and wall time per call. Reported: median and p95 over the rounds, and the ratio prepared ÷ built.
 * Results: bench/results/prepared-queries.md.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, or, sql } from "drizzle-orm";
import { getDb, setDbHandle, type Db } from "@/db";
import { activeJobStatuses, aiJobs } from "@/db/ai-schema";
import { apiTokens } from "@/db/api-tokens-schema";
import { pages, stories, users } from "@/db/schema";
import { authenticateApiToken, createApiToken } from "@/lib/auth/api-tokens";
import { getJob, listLiveScopeJobs } from "@/lib/ai";
import { findActiveJob } from "@/lib/ai/jobs/ledger";
import { addPage, requestPageText } from "@/lib/stories";
import type { Actor } from "@/lib/stories/actor";
import { STORY_SCOPE } from "@/lib/stories/job-kinds";
import { createStory } from "@/lib/stories/stories";
import { storyWithMembers } from "@/lib/stories/access";
import { livePageTexts } from "@/lib/stories/page-job-input";
import { loadPageWithActiveJob } from "@/lib/stories/page-jobs/page-with-active-job";
import { machineWithVersions, withFreshPostgres } from "./shared/bench-db";
import { loadavg } from "./shared/load";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CALLS = Number(process.env.BENCH_CALLS ?? 400);
const BASE_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const startedAt = new Date();
const loadAtStart = loadavg();

interface Fixture {
  actor: Actor;
  secret: string;
  storyId: string;
  pageId: string;
  jobId: string;
}

/** The queries as they were built before (Drizzle on every call), for the side-by-side comparison. */
const { renderedPrompt: _prompt, ...liveColumns } = getTableColumns(aiJobs);
const built = {
  getJob: (db: Db, id: string) => db.select().from(aiJobs).where(eq(aiJobs.id, id)).limit(1),
  live: (db: Db, storyId: string) => {
    const since = new Date(Date.now() - 120_000);
    const activeParents = db
      .select({ id: aiJobs.id })
      .from(aiJobs)
      .where(
        and(
          eq(aiJobs.scopeType, STORY_SCOPE),
          eq(aiJobs.scopeId, storyId),
          inArray(aiJobs.status, [...activeJobStatuses]),
          sql`${aiJobs.parentJobId} is null`,
        ),
      );
    return db
      .select(liveColumns)
      .from(aiJobs)
      .where(
        and(
          eq(aiJobs.scopeType, STORY_SCOPE),
          eq(aiJobs.scopeId, storyId),
          or(
            inArray(aiJobs.status, [...activeJobStatuses]),
            gt(aiJobs.updatedAt, since),
            gt(aiJobs.landedAt, since),
            inArray(aiJobs.parentJobId, activeParents),
          ),
        ),
      )
      .orderBy(desc(aiJobs.createdAt))
      .limit(2000);
  },
  pageWithJob: (db: Db, pageId: string) =>
    db
      .select({ page: pages, story: storyWithMembers, active: aiJobs })
      .from(pages)
      .innerJoin(stories, eq(stories.id, pages.storyId))
      .leftJoin(
        aiJobs,
        and(
          eq(aiJobs.targetType, "page"),
          eq(aiJobs.targetId, pages.id),
          inArray(aiJobs.status, [...activeJobStatuses]),
        ),
      )
      .where(and(eq(pages.id, pageId), isNull(pages.deletedAt)))
      .limit(1),
  token: (db: Db, hash: string) =>
    db
      .select({
        id: apiTokens.id,
        userId: apiTokens.userId,
        role: users.role,
        lastUsedAt: apiTokens.lastUsedAt,
        expiresAt: apiTokens.expiresAt,
        revokedAt: apiTokens.revokedAt,
      })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(eq(apiTokens.tokenHash, hash))
      .limit(1),
  activeJob: (db: Db, pageId: string) =>
    db
      .select()
      .from(aiJobs)
      .where(
        and(eq(aiJobs.targetType, "page"), eq(aiJobs.targetId, pageId), inArray(aiJobs.status, [...activeJobStatuses])),
      )
      .limit(1),
  pages: (db: Db, storyId: string) =>
    db
      .select({ id: pages.id, content: pages.content, version: pages.version, tokenCount: pages.tokenCount })
      .from(pages)
      .where(and(eq(pages.storyId, storyId), isNull(pages.deletedAt)))
      .orderBy(asc(pages.position)),
};

interface Pair {
  name: string;
  built: (db: Db, f: Fixture) => Promise<unknown>;
  prepared: (db: Db, f: Fixture) => Promise<unknown>;
}

const hashOf = (secret: string) => crypto.createHash("sha256").update(secret, "utf8").digest("hex");

async function pairs(): Promise<Pair[]> {
  return [
    {
      name: "a job by id (getJob: 48 columns; 3 per Generate)",
      built: (db, f) => built.getJob(db, f.jobId),
      prepared: (db, f) => getJob(db, f.jobId),
    },
    {
      name: "a story's live jobs (listLiveScopeJobs: once a second per open story)",
      built: (db, f) => built.live(db, f.storyId),
      prepared: (db, f) => listLiveScopeJobs(db, STORY_SCOPE, f.storyId),
    },
    {
      name: "page, story and active job (loadPageWithActiveJob: every Generate)",
      built: (db, f) => built.pageWithJob(db, f.pageId),
      prepared: (db, f) => loadPageWithActiveJob(db, f.actor, f.pageId),
    },
    {
      name: "API token (authenticateApiToken: every REST request)",
      built: (db, f) => built.token(db, hashOf(f.secret)),
      prepared: (_db, f) => authenticateApiToken(f.secret),
    },
    {
      name: "the job active on a page (findActiveJob: Takes, retries, illustrations, codex and translation requests)",
      built: (db, f) => built.activeJob(db, f.pageId),
      prepared: (db, f) => findActiveJob(db, "page", f.pageId),
    },
    {
      name: "a story's live pages (livePageTexts: every Generate)",
      built: (db, f) => built.pages(db, f.storyId),
      prepared: (db, f) => livePageTexts(db, f.storyId),
    },
  ];
}

async function seed(): Promise<Fixture> {
  const db = await getDb();
  const [user] = await db
    .insert(users)
    .values({ email: `bench-${Date.now()}@bench.local`, name: "Bench author", passwordHash: "x", role: "author" })
    .returning({ id: users.id });
  const actor: Actor = { id: user!.id, role: "author" };
  const story = await createStory(actor, { title: "Bench story" });
  let pageId = "";
  for (let i = 0; i < 20; i++) {
    const page = await addPage(actor, { storyId: story.id, content: i < 19 ? `Page ${i}: the keeper climbed.` : "" });
    pageId = page.id;
  }
  const job = await requestPageText(actor, { pageId });
  const { secret } = await createApiToken(actor, { name: "bench" });
  return { actor, secret, storyId: story.id, pageId, jobId: job.id };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

async function measure(run: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) await run();
  const cpu = process.cpuUsage(cpu0);
  return { cpu: (cpu.user + cpu.system) / 1000 / CALLS, wall: (performance.now() - t0) / CALLS };
}

const result = await withFreshPostgres(BASE_URL, "ss_bench_prepared", async (label, handle) => {
  setDbHandle(handle);
  try {
    const fixture = await seed();
    const db = handle.db;
    const rows: string[] = [];
    for (const pair of await pairs()) {
      const samples = { built: [] as { cpu: number; wall: number }[], prepared: [] as { cpu: number; wall: number }[] };
      // Warm-up: the JIT, the connections' statement caches and the prepared query itself.
      await measure(() => pair.built(db, fixture));
      await measure(() => pair.prepared(db, fixture));
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? (["built", "prepared"] as const) : (["prepared", "built"] as const);
        for (const variant of order) samples[variant].push(await measure(() => pair[variant](db, fixture)));
      }
      const stat = (variant: "built" | "prepared", key: "cpu" | "wall") => {
        const values = samples[variant].map((s) => s[key]);
        return { p50: quantile(values, 0.5), p95: quantile(values, 0.95) };
      };
      const cell = (s: { p50: number; p95: number }) => `${s.p50.toFixed(3)} / ${s.p95.toFixed(3)}`;
      const ratio = (key: "cpu" | "wall") => (stat("prepared", key).p50 / stat("built", key).p50).toFixed(2);
      rows.push(
        `| ${pair.name} | ${cell(stat("built", "cpu"))} | ${cell(stat("prepared", "cpu"))} | **${ratio("cpu")}** | ` +
          `${cell(stat("built", "wall"))} | ${cell(stat("prepared", "wall"))} | ${ratio("wall")} |`,
      );
      console.log(rows.at(-1));
    }
    return { label, rows };
  } finally {
    setDbHandle(undefined);
  }
});

const command = [
  ...["BENCH_ROUNDS", "BENCH_CALLS"].filter((n) => process.env[n] !== undefined).map((n) => `${n}=${process.env[n]}`),
  "npm run bench:prepared",
].join(" ");
const markdown = [
  "# Queries built once per database handle, beside Drizzle building them on every call",
  "",
  `- date: ${startedAt.toISOString()} (run start)`,
  `- command: \`${command}\` (PostgreSQL at DATABASE_URL's server, fresh database)`,
  `- machine: ${machineWithVersions(["drizzle-orm", "postgres"])}`,
  `- load average (1, 5, 15 min): ${loadAtStart} at start → ${loadavg()} at end`,
  `- database: ${result.label}; ${ROUNDS} rounds of ${CALLS} calls per variant, one call at a time, the order alternating`,
  "- built = the query as the code ran it before (Drizzle builds its SQL text on every call); prepared = the",
  "  production function now (db/prepared-queries.ts: built once per database handle, values as placeholders)",
  "",
  "| query | built: CPU ms / call (p50 / p95 of rounds) | prepared: CPU ms / call | CPU ratio prepared ÷ built (p50) | built: wall ms / call | prepared: wall ms / call | wall ratio |",
  "|---|---|---|---|---|---|---|",
  ...result.rows,
  "",
  "CPU is this process's (user + system) over a round ÷ calls: the client's cost of a query, which the server's event",
  "loop pays on every request. The API token row also includes hashing the secret (both variants) and, in the",
  "production function, the check of the token's dates.",
  "",
].join("\n");
fs.mkdirSync("bench/results", { recursive: true });
fs.writeFileSync("bench/results/prepared-queries.md", markdown);
console.log(`\n${markdown}`);
process.exit(0);
