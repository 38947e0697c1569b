/**
 * bench:peers driver for graphile-worker: a job queue, not a workflow engine, so a 3-step run is three chained jobs —
 * step1's task adds step2's job, step2's adds step3's (each add is its own transaction, after the step body; the
 * job's completion is recorded after the task returns). A run is complete when step3's job succeeded.
 */
import fs from "node:fs";
import { Logger, makeWorkerUtils, run, type Task } from "graphile-worker";
import { CONCURRENCY, databaseUrl, measure, printResult, StepLog } from "./common";

const log = new StepLog();
let counter = 0;
let completed = 0;
let waiter: { target: number; resolve: () => void } | undefined;

interface Payload {
  run: string;
}

const step =
  (name: string, next: string | null): Task =>
  async (payload, helpers) => {
    const { run: runId } = payload as Payload;
    log.record(runId, name);
    if (next) await helpers.addJob(next, { run: runId });
  };

// Warnings and errors only: the default logger prints a line per job.
const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[graphile-worker] ${level}: ${message}`);
});
const utils = await makeWorkerUtils({ connectionString: databaseUrl(), logger });
const runner = await run({
  connectionString: databaseUrl(),
  concurrency: CONCURRENCY,
  maxPoolSize: 10,
  noHandleSignals: true,
  pollInterval: 1000,
  logger,
  taskList: { s1: step("s1", "s2"), s2: step("s2", "s3"), s3: step("s3", null) },
});
runner.events.on("job:success", ({ job }) => {
  if (job.task_identifier !== "s3") return;
  completed++;
  if (waiter && completed >= waiter.target) waiter.resolve();
});

try {
  const result = await measure(
    log,
    async (n) => {
      const target = completed + n;
      const done = new Promise<void>((resolve) => {
        waiter = { target, resolve };
      });
      await utils.addJobs(Array.from({ length: n }, () => ({ identifier: "s1", payload: { run: `r${++counter}` } })));
      await done;
    },
    {
      system: "graphile-worker",
      version: JSON.parse(
        fs.readFileSync(new URL("./node_modules/graphile-worker/package.json", import.meta.url), "utf8"),
      ).version,
      setup: `3 chained jobs (each task adds the next); \`addJobs\` for the first; concurrency ${CONCURRENCY}; pool 10; LISTEN/NOTIFY`,
    },
  );
  printResult(result);
} finally {
  await utils.release();
  await runner.stop();
}
process.exit(0);
