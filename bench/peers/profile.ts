/**
 * Where a bench:peers driver's time goes during its load phase (BENCH_PROFILE=1): V8's sampling profiler, started in
 * the driver's own process (node:inspector, nothing to install), and each sample given to the code it was spent for.
 * Node only: every driver imports this through common.ts.
 *
 * A sample is attributed to the innermost frame that belongs to a known package or to the engine's own code, so the
 * Node internals a library calls (web crypto, streams, buffers) count as that library's. The sampler ticks on wall
 * time while the JS thread is busy: a socket write that wakes a PostgreSQL backend can lose the core to it and still
 * be counted, which is why socket writes are a category of their own.
 */
import { Session } from "node:inspector/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Share of the busy samples (idle excluded) per category, in percent, largest first. */
export type CpuShares = [category: string, percent: number][];

const PACKAGES: [pattern: RegExp, category: string][] = [
  [/node_modules\/inngest\//, "Inngest SDK"],
  [/node_modules\/(hash\.js|canonicalize|json-stringify-safe|@inngest\/[^/]+)\//, "Inngest SDK's dependencies"],
  [/node_modules\/(postgres|drizzle-orm|pg|pg-protocol|pg-pool|knex)\//, "PostgreSQL driver"],
  [/node_modules\/@dbos-inc\//, "DBOS"],
  [/node_modules\/graphile-worker\//, "graphile-worker"],
  [/\/lib\/inngest\/|\/db\//, "engine (lib/inngest, db)"],
  [/\/bench\//, "bench workload"],
  [/node_modules\//, "other packages"],
];

const NATIVE = new Map([
  ["(garbage collector)", "garbage collection"],
  ["(program)", "V8 / native, unattributed"],
  ["writeBuffer", "socket writes"],
]);

function categoryOf(stack: ProfileNode[]): string {
  const native = NATIVE.get(stack[0]!.callFrame.functionName);
  if (native) return native;
  for (const node of stack) {
    const match = PACKAGES.find(([pattern]) => pattern.test(node.callFrame.url));
    if (match) return match[1];
  }
  return "Node runtime, other";
}

/** The busy samples by category, and how much of all samples the thread was idle (waiting on I/O). */
export function cpuShares(profile: CpuProfile): { shares: CpuShares; idlePercent: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const time = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const totals = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, micros] of time) {
    if (byId.get(id)?.callFrame.functionName === "(idle)") {
      idle += micros;
      continue;
    }
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!);
    const category = categoryOf(stack);
    totals.set(category, (totals.get(category) ?? 0) + micros);
    busy += micros;
  }
  const shares = [...totals]
    .map(([category, micros]): [string, number] => [category, (micros / busy) * 100])
    .sort((a, b) => b[1] - a[1]);
  return { shares, idlePercent: (idle / (idle + busy)) * 100 };
}

/** Profiles `work` when BENCH_PROFILE=1; otherwise runs it alone. */
export async function profiled<T>(
  work: () => Promise<T>,
): Promise<{ value: T; profile?: ReturnType<typeof cpuShares> }> {
  if (process.env.BENCH_PROFILE !== "1") return { value: await work() };
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    const value = await work();
    const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
    return { value, profile: cpuShares(profile) };
  } finally {
    session.disconnect();
  }
}
