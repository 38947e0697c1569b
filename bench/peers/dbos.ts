/**
 * bench:peers driver for DBOS Transact: one workflow of three DBOS.runStep no-op steps, started with
 * DBOS.startWorkflow (its status row is written before it runs, so a started workflow survives a crash), awaited
 * through its handle. DBOS runs directly started workflows at once, without a worker limit.
 */
import fs from "node:fs";
import { DBOS } from "@dbos-inc/dbos-sdk";
import { databaseUrl, measure, printResult, STEPS, StepLog } from "./common";

const log = new StepLog();
let counter = 0;

const threeSteps = DBOS.registerWorkflow(
  async () => {
    const runId = DBOS.workflowID!;
    for (const name of STEPS) await DBOS.runStep(async () => log.record(runId, name), { name });
  },
  { name: "threeSteps" },
);

DBOS.setConfig({
  name: "bench-peers",
  applicationVersion: "0.1.0",
  systemDatabaseUrl: databaseUrl(),
  systemDatabasePoolSize: 10,
  logLevel: "error",
  runAdminServer: false,
});
await DBOS.launch();
try {
  const result = await measure(
    log,
    async (n) => {
      const handles = await Promise.all(
        Array.from({ length: n }, () => DBOS.startWorkflow(threeSteps, { workflowID: `bench-${++counter}` })()),
      );
      await Promise.all(handles.map((h) => h.getResult()));
    },
    {
      system: "DBOS Transact",
      version: JSON.parse(
        fs.readFileSync(new URL("./node_modules/@dbos-inc/dbos-sdk/package.json", import.meta.url), "utf8"),
      ).version,
      setup: "one workflow of 3 `DBOS.runStep` steps, `DBOS.startWorkflow` + `getResult()`; no worker limit; pool 10",
    },
  );
  printResult(result);
} finally {
  await DBOS.shutdown();
}
process.exit(0);
