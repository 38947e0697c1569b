/**
 * bench:peers driver for Story Sprout's embedded engine, driven as bench/engine/run.ts drives it: a 3-step no-op
 * function (step.run × 3) behind the real serve() handler, handed each signed call in-process as `next start` does
 * (BENCH_ENGINE_CALLS=http: over loopback HTTP instead), the engine in the same process with its production defaults, runs started by `inngest.send` and counted from the engine's "run completed" log
 * line. process.env is snapshotted as the server does at start (lib/server/process-env.ts). Lives beside bench:engine because it needs the app (its tsx, path aliases and typecheck);
 * bench/peers/run.ts starts it.
 */
import fs from "node:fs";
import { openPostgres } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { inngest } from "@/lib/inngest/client";
import { startEmbeddedEngine, stopEmbeddedEngine } from "@/lib/inngest/embedded/testing";
import { localServeHandler } from "@/lib/inngest/serve";
import { snapshotProcessEnv } from "@/lib/server/process-env";
import { serveFunctions } from "../../tests/engine/serve-functions";
import { CONCURRENCY, databaseUrl, measure, printResult, STEPS, StepLog } from "../peers/common";

// As under `next start` (instrumentation.ts): the SDK reads process.env on every call.
snapshotProcessEnv();
const log = new StepLog();
/** BENCH_ENGINE_CHECKPOINTING=0: one step per call, as before checkpointing (bench/peers/run.ts "engine-steps"). */
const CHECKPOINTING_OFF = process.env.BENCH_ENGINE_CHECKPOINTING === "0";
let completed = 0;
let waiter: { target: number; resolve: () => void } | undefined;

const threeSteps = inngest.createFunction(
  { id: "bench-peers-noop", triggers: [{ event: "bench/peers-noop" }] },
  async ({ runId, step }) => {
    for (const name of STEPS) await step.run(name, () => log.record(runId, name));
  },
);

const handle = openPostgres(databaseUrl(), { max: 10 });
await runMigrations(handle);
const served = await serveFunctions([threeSteps]);
await startEmbeddedEngine({
  handle,
  serveUrl: served.url,
  ...(process.env.BENCH_ENGINE_CALLS === "http" ? {} : { localServe: localServeHandler([threeSteps]) }),
  checkpointing: !CHECKPOINTING_OFF,
  workers: CONCURRENCY,
  logger: (level, msg, fields) => {
    if (msg === "inngest run completed") {
      completed++;
      if (waiter && completed >= waiter.target) waiter.resolve();
    }
    if (level === "warn" || level === "error") console.error(JSON.stringify({ level, msg, ...fields }));
  },
});
try {
  const result = await measure(
    log,
    async (n) => {
      const done = new Promise<void>((resolve) => {
        waiter = { target: completed + n, resolve };
      });
      await inngest.send(Array.from({ length: n }, () => ({ name: "bench/peers-noop", data: {} })));
      await done;
    },
    {
      system: CHECKPOINTING_OFF ? "Story Sprout embedded engine, one step per call" : "Story Sprout embedded engine",
      version: `inngest ${JSON.parse(fs.readFileSync("node_modules/inngest/package.json", "utf8")).version}`,
      setup: `one function of 3 \`step.run\` steps behind the real \`serve()\` (${process.env.BENCH_ENGINE_CALLS === "http" ? "inngest/node over loopback HTTP" : "the signed call handed to it in-process, as under next start"}${CHECKPOINTING_OFF ? ", checkpointing off" : ", steps checkpointed"}); \`inngest.send\` of all events at once; ${CONCURRENCY} engine workers, production timing; pool 10`,
    },
  );
  printResult(result);
} finally {
  await stopEmbeddedEngine(5000);
  await served.close();
  await handle.close();
}
process.exit(0);
