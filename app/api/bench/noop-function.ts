import { inngest } from "@/lib/inngest/client";

/**
 * bench:engine's 3-step no-op function as the built app serves it (../inngest/route.ts) and the step timings its
 * control route reads (../engine/route.ts). The two routes are separate bundles with their own copy of this module,
 * so the timings live on globalThis.
 */
export interface BenchMarks {
  /** Per run: when each step body started and ended (performance.now() of this process). */
  marks: Record<string, { start: number; end: number }[]>;
  /** Per run and step: how many times the body ran (exactly once is the claim). */
  executions: Record<string, number>;
}

const SLOT = Symbol.for("story-sprout-bench-marks");
const slot = globalThis as unknown as { [SLOT]?: BenchMarks };

export function benchMarks(): BenchMarks {
  slot[SLOT] ??= { marks: {}, executions: {} };
  return slot[SLOT];
}

export function resetBenchMarks(): void {
  slot[SLOT] = { marks: {}, executions: {} };
}

export const benchNoopFunction = inngest.createFunction(
  { id: "bench-noop", triggers: [{ event: "bench/noop" }] },
  async ({ runId, step }) => {
    for (const name of ["s1", "s2", "s3"]) {
      await step.run(name, () => {
        const start = performance.now();
        const state = benchMarks();
        const key = `${runId}:${name}`;
        state.executions[key] = (state.executions[key] ?? 0) + 1;
        const list = state.marks[runId] ?? [];
        list.push({ start, end: performance.now() });
        state.marks[runId] = list;
      });
    }
  },
);
