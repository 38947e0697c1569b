/**
 * Illustrations benchmark (`npm run bench:illustrations`): the time from "Illustrate" (the request) to the image
 * stored, with a fake provider of fixed latency (scene description BENCH_SCENE_MS = 300 ms, image BENCH_IMAGE_MS =
 * 1,500 ms), split into scene description, prompt, generation and storage as the job records them; beside it, in the
 * same run, the plain alternative: the same two fake provider calls back to back with nothing around them (the floor
 * of any pipeline). Two image sizes: the offline illustrator's PNG (~25 KB) and a 1.5 MB PNG (a provider's 1024² is
 * 1–2 MB). Storage per image: what the database holds per stored image (table + TOAST + index) over the image bytes.
 * Also the offline illustrator's own drawing time (resvg). The steps run as plain calls (no engine): the engine's
 * round trips are measured by bench:engine. Database: a fresh `ss_bench_ill_*` next to BENCH_DATABASE_URL /
 * DATABASE_URL, dropped afterwards. Results: bench/results/illustrations.md.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import postgres from "postgres";
import { openPostgres } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { machineWithVersions, redactUrl } from "../shared/bench-db";
import { loadavg } from "../shared/load";

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const SCENE_MS = Number(process.env.BENCH_SCENE_MS ?? 300);
const IMAGE_MS = Number(process.env.BENCH_IMAGE_MS ?? 1500);
const BASE =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}
const fmt = (values: number[]) => `${quantile(values, 0.5).toFixed(0)} / ${quantile(values, 0.95).toFixed(0)}`;

/** A PNG of about `size` bytes: the offline drawing's header and chunks, padded (only the header is ever decoded). */
function paddedPng(base: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(base);
  crypto.randomFillSync(out, base.byteLength);
  return out;
}

async function main() {
  const started = Date.now();
  const loadStart = loadavg();
  const name = `ss_bench_ill_${crypto.randomBytes(4).toString("hex")}`;
  const admin = postgres(BASE, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(BASE);
  url.pathname = `/${name}`;
  const migrate = openPostgres(url.toString());
  await runMigrations(migrate);
  await migrate.close();
  process.env.DATABASE_URL = url.toString();
  const lines: string[] = [];
  try {
    const { getDb } = await import("@/db");
    const { users } = await import("@/db/schema");
    const { storedImages } = await import("@/db/illustrations-schema");
    const { sql } = await import("drizzle-orm");
    const stories = await import("@/lib/stories");
    const { runIllustrationJob } = await import("@/lib/stories/illustrations/run");
    const ai = await import("@/lib/ai");
    // No engine: the job's event is not needed (the steps are called directly).
    const { inngest } = await import("@/lib/inngest/client");
    inngest.send = (async () => ({ ids: [] })) as unknown as typeof inngest.send;
    const db = await getDb();
    const [user] = await db
      .insert(users)
      .values({ email: `bench-${crypto.randomUUID()}@example.com`, name: "Bench", passwordHash: "x", role: "author" })
      .returning();
    const actor = { id: user!.id, role: "author" as const };
    process.env.AI_RATE_LIMIT_PER_MINUTE = "0";
    const story = await stories.createStory(actor, { title: "Bench harbour" });
    await stories.createCodexEntry(actor, {
      storyId: story.id,
      kind: "character",
      name: "Mara",
      appearance: "tall woman, long red coat with brass buttons",
    });
    await stories.createCodexEntry(actor, {
      storyId: story.id,
      kind: "place",
      name: "Kellan Point",
      appearance: "rocky headland",
    });
    const text = "Mara climbed to Kellan Point at night while the storm broke over the harbour. ".repeat(8);

    const drawMs: number[] = [];
    let offlinePng: Uint8Array = new Uint8Array();
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      offlinePng = ai.drawOfflineIllustration({
        title: `Bench harbour — page ${i + 1}`,
        scene: `Mara at Kellan Point, night ${i}.`,
        characters: [{ name: "Mara", appearance: "red coat" }],
        places: [{ name: "Kellan Point", appearance: "rocky headland" }],
      });
      drawMs.push(performance.now() - t);
    }
    const sizes = [
      { label: `offline-size PNG (${(offlinePng.byteLength / 1024).toFixed(0)} KB)`, bytes: offlinePng },
      { label: "provider-size PNG (1.5 MB)", bytes: paddedPng(offlinePng, 1_500_000) },
    ];

    const rows: string[] = [];
    const storageRows: string[] = [];
    for (const size of sizes) {
      const model: import("@/lib/ai").ImageModelChoice = {
        provider: "fake",
        modelId: "gpt-image-1",
        offline: false,
        size: "1024x1024",
        sceneModelId: "gpt-4o-mini",
        describe: async ({ pageText }) => {
          await sleep(SCENE_MS);
          return { text: ai.describeSceneOffline(pageText), inputTokens: 300, outputTokens: 60 };
        },
        generate: async () => {
          await sleep(IMAGE_MS);
          return { bytes: size.bytes, claimedType: "image/png" };
        },
      };
      const total: number[] = [];
      const scene: number[] = [];
      const prompt: number[] = [];
      const generation: number[] = [];
      const storage: number[] = [];
      const plain: number[] = [];
      const before = await db.select({ n: sql<number>`count(*)::int` }).from(storedImages);
      for (let i = 0; i < RUNS; i++) {
        const page = await stories.addPage(actor, { storyId: story.id, content: text });
        // The plain alternative first (same provider, no pipeline), then the job.
        const p = performance.now();
        await model.describe({ prompt: text, pageText: text, abortSignal: AbortSignal.timeout(10_000) });
        await model.generate({
          prompt: text,
          size: "1024x1024",
          hints: { title: "", scene: "", characters: [], places: [] },
          abortSignal: AbortSignal.timeout(10_000),
        });
        plain.push(performance.now() - p);
        const t = performance.now();
        const { job } = await stories.requestIllustration(actor, { pageId: page.id });
        const result = await runIllustrationJob(job.id, { model });
        total.push(performance.now() - t);
        if (result.outcome !== "succeeded") throw new Error(`run ${i}: ${JSON.stringify(result)}`);
        scene.push(result.output.timingsMs.scene);
        prompt.push(result.output.timingsMs.prompt);
        generation.push(result.output.timingsMs.generation);
        storage.push(result.output.timingsMs.storage);
      }
      const ratio = quantile(total, 0.5) / quantile(plain, 0.5);
      rows.push(
        `| ${size.label} | ${fmt(total)} | ${fmt(scene)} | ${fmt(prompt)} | ${fmt(generation)} | ${fmt(storage)} | ${fmt(plain)} | ${ratio.toFixed(3)} |`,
      );
      await db.execute(sql`vacuum analyze stored_images`).catch(() => {});
      const [usage] = (await db.execute(
        sql`select pg_total_relation_size('stored_images')::bigint as total, (select sum(byte_size) from stored_images)::bigint as raw, (select count(*) from stored_images)::int as n`,
      )) as unknown as { total: string; raw: string; n: number }[];
      const n = usage!.n - Number(before[0]!.n);
      void n;
      const perImage = Number(usage!.total) / usage!.n;
      const rawPerImage = Number(usage!.raw) / usage!.n;
      storageRows.push(
        `| ${size.label} | ${usage!.n} | ${(rawPerImage / 1024).toFixed(1)} | ${(perImage / 1024).toFixed(1)} | ${(perImage / rawPerImage).toFixed(3)} |`,
      );
      await db.execute(sql`truncate stored_images`);
    }

    const loadEnd = loadavg();
    lines.push(
      "# Illustrations benchmark",
      "",
      `Date: ${new Date().toISOString().slice(0, 10)} · Command: \`npm run bench:illustrations\` (BENCH_RUNS=${RUNS}, BENCH_SCENE_MS=${SCENE_MS}, BENCH_IMAGE_MS=${IMAGE_MS}) · ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
      "",
      `Machine: ${machineWithVersions(["ai", "@resvg/resvg-js", "drizzle-orm", "postgres"])}; \`nproc\` ${os.cpus().length}; PostgreSQL on loopback (${redactUrl(BASE).replace(/\/[^/]*$/, "/…")}). Shared machine: /proc/loadavg (1, 5, 15 min) was ${loadStart} at the start and ${loadEnd} at the end.`,
      "",
      `What is timed: from \`requestIllustration\` (the Illustrate click's server side: access, ledger row) to the image stored and the job marked succeeded, ${RUNS} runs per size, the job's steps called in-process (no engine round trips: bench:engine measures those). The fake provider answers the scene description after ${SCENE_MS} ms and the image after ${IMAGE_MS} ms. The split is what the job records in its ledger row (\`output_text.timingsMs\`): scene = marking it running + the scene call + its ledger row; prompt = codex mentions, prompt, page number; generation = the image call + checks (sniffing, limits); storage = the bytes into \`stored_images\` + the illustration row and the job's success in one transaction. Plain = the same two fake calls back to back, nothing else. All times in ms, median / p95.`,
      "",
      "| Image | Illustrate → stored | Scene | Prompt | Generation | Storage | Plain (provider calls only) | Ratio (median, job / plain) |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...rows,
      "",
      "## Storage in the database (per image)",
      "",
      "| Image | Images | Image bytes KB | Stored (table + TOAST + index) KB | Ratio |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...storageRows,
      "",
      `Offline illustrator (SVG → PNG with resvg and the bundled DejaVu Sans, 768×512): ${fmt(drawMs)} ms to draw (median / p95 of 10, the first includes loading the font).`,
      "",
      "## Notes",
      "",
      "- PNG bytes do not compress: PostgreSQL stores them in TOAST uncompressed-ish (its pglz gives up on random-looking data), so a database image costs about its own size plus a small per-row and per-chunk overhead (2 KB TOAST chunks).",
      "- The pipeline's own cost (scene ledger row, prompt from the codex, sniffing, storage transaction) is the difference between the job and the plain calls; with real providers the image call (seconds) dominates.",
      "- The 1.5 MB image is a valid PNG header followed by random bytes (only the header is decoded by the sniffer).",
    );
    fs.mkdirSync("bench/results", { recursive: true });
    fs.writeFileSync("bench/results/illustrations.md", `${lines.join("\n")}\n`);
    console.log(lines.join("\n"));
  } finally {
    const { getDbHandle } = await import("@/db");
    await (await getDbHandle()).close().catch(() => {});
    const dropper = postgres(BASE, { max: 1, onnotice: () => {} });
    await dropper.unsafe(`drop database if exists "${name}" with (force)`).finally(() => dropper.end());
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
