import { validateCron } from "./cron";
import { parseDuration } from "./durations";
import { compileExpression, type Expression } from "./expressions";

/**
 * A registered function as the engine uses it, parsed from the config the SDK sends at sync. Parsing is strict:
 * an option the engine does not implement makes registration fail with a message naming it, rather than being
 * ignored (a function that relies on rate limiting must not silently run unlimited).
 */
export interface FunctionDef {
  id: string;
  name: string;
  appId: string;
  url: string;
  /** User's `retries`: steps and calls are attempted at most retries + 1 times. */
  retries: number;
  eventTriggers: { event: string; expression?: Expression }[];
  crons: string[];
  concurrency: { limit: number; key?: Expression }[];
  debounce?: { periodMs: number; timeoutMs?: number; key?: Expression };
  cancel: { event: string; expression?: Expression; timeoutMs?: number }[];
  /** `idempotency`: at most one event-started run per value of this expression in 24 h (null/undefined: no key). */
  idempotency?: Expression;
  config: Record<string, unknown>;
}

/** The SDK's default when a function sets no `retries` (4 attempts in all). */
const DEFAULT_RETRIES = 3;
const MAX_RETRIES = 20;

const SUPPORTED = new Set(["id", "name", "triggers", "steps", "concurrency", "debounce", "cancel", "idempotency"]);
const KNOWN_UNSUPPORTED: Record<string, string> = {
  batchEvents: "batchEvents",
  rateLimit: "rateLimit",
  throttle: "throttle",
  singleton: "singleton",
  timeouts: "timeouts",
  priority: "priority",
};

export class FunctionConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The embedded Inngest engine cannot run these functions:\n- ${problems.join("\n- ")}`);
    this.name = "FunctionConfigError";
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function duration(value: unknown, what: string): number {
  if (typeof value !== "string") throw new Error(`${what} must be a duration string`);
  const ms = parseDuration(value);
  if (ms <= 0) throw new Error(`${what} must be positive`);
  return ms;
}

function parseOne(raw: Record<string, unknown>, appId: string, problems: string[]): FunctionDef | null {
  const id = typeof raw.id === "string" ? raw.id : "";
  const where = `function "${id || "?"}"`;
  const fail = (msg: string) => problems.push(`${where}: ${msg}`);
  if (!id) {
    fail("missing id");
    return null;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined || value === null || SUPPORTED.has(key)) continue;
    if (KNOWN_UNSUPPORTED[key])
      fail(`"${key}" is not supported by the embedded engine (use Inngest Cloud or the dev server)`);
    else fail(`unknown option "${key}"`);
  }

  const step = isRecord(raw.steps) && isRecord(raw.steps.step) ? raw.steps.step : null;
  const runtime = step && isRecord(step.runtime) ? step.runtime : null;
  if (!runtime || typeof runtime.url !== "string") fail("missing steps.step.runtime.url");
  else if (runtime.type !== "http") fail(`runtime type "${String(runtime.type)}" is not supported (only http)`);
  const attempts = step && isRecord(step.retries) ? step.retries.attempts : undefined;
  const retries = typeof attempts === "number" ? attempts : DEFAULT_RETRIES;
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) fail(`retries must be 0..${MAX_RETRIES}`);

  const def: FunctionDef = {
    id,
    name: typeof raw.name === "string" ? raw.name : id,
    appId,
    url: typeof runtime?.url === "string" ? runtime.url : "",
    retries,
    eventTriggers: [],
    crons: [],
    concurrency: [],
    cancel: [],
    config: raw,
  };

  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      fail(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const triggers = Array.isArray(raw.triggers) ? raw.triggers : [];
  for (const trigger of triggers) {
    guard("trigger", () => {
      if (!isRecord(trigger)) throw new Error("invalid trigger");
      if (typeof trigger.event === "string") {
        const extra = Object.keys(trigger).filter((k) => k !== "event" && k !== "expression" && trigger[k] != null);
        if (extra.length) throw new Error(`unsupported trigger options ${extra.join(", ")}`);
        const expression = typeof trigger.expression === "string" ? trigger.expression : undefined;
        def.eventTriggers.push({
          event: trigger.event,
          ...(expression ? { expression: compileExpression(expression, ["event"]) } : {}),
        });
      } else if (typeof trigger.cron === "string") {
        if (trigger.jitter != null) throw new Error("cron jitter is not supported");
        validateCron(trigger.cron);
        def.crons.push(trigger.cron);
      } else throw new Error("a trigger needs an event or a cron");
    });
  }

  guard("concurrency", () => {
    const c = raw.concurrency;
    if (c == null) return;
    const list = typeof c === "number" ? [{ limit: c }] : Array.isArray(c) ? c : [c];
    if (list.length > 2) throw new Error("at most two concurrency limits");
    for (const item of list) {
      if (!isRecord(item) || typeof item.limit !== "number" || !Number.isInteger(item.limit) || item.limit < 0) {
        throw new Error("limit must be a non-negative integer");
      }
      if (item.scope != null && item.scope !== "fn") {
        throw new Error(`scope "${String(item.scope)}" is not supported (only "fn")`);
      }
      if (item.key != null && typeof item.key !== "string") throw new Error("key must be an expression string");
      // Inngest treats a limit of 0 as "no limit of its own".
      if (item.limit === 0) continue;
      def.concurrency.push({
        limit: item.limit,
        ...(typeof item.key === "string" ? { key: compileExpression(item.key, ["event"]) } : {}),
      });
    }
  });

  guard("debounce", () => {
    const d = raw.debounce;
    if (d == null) return;
    if (!isRecord(d)) throw new Error("invalid debounce");
    def.debounce = {
      periodMs: duration(d.period, "period"),
      ...(d.timeout != null ? { timeoutMs: duration(d.timeout, "timeout") } : {}),
      ...(typeof d.key === "string" ? { key: compileExpression(d.key, ["event"]) } : {}),
    };
  });

  guard("idempotency", () => {
    const key = raw.idempotency;
    if (key == null) return;
    if (typeof key !== "string" || !key.trim()) throw new Error("must be an expression string");
    def.idempotency = compileExpression(key, ["event"]);
  });

  const cancels = Array.isArray(raw.cancel) ? raw.cancel : raw.cancel == null ? [] : [raw.cancel];
  for (const c of cancels) {
    guard("cancelOn", () => {
      if (!isRecord(c) || typeof c.event !== "string") throw new Error("cancelOn needs an event");
      def.cancel.push({
        event: c.event,
        ...(typeof c.if === "string" ? { expression: compileExpression(c.if, ["event", "async"]) } : {}),
        ...(c.timeout != null ? { timeoutMs: duration(c.timeout, "timeout") } : {}),
      });
    });
  }

  // A function without triggers is valid: it can still be the target of step.invoke.
  return def;
}

/** Parses every function of a sync; throws one FunctionConfigError listing all problems. */
export function parseFunctionConfigs(rawFunctions: unknown, appId: string): FunctionDef[] {
  if (!Array.isArray(rawFunctions)) throw new FunctionConfigError(["the app sent no function list"]);
  const problems: string[] = [];
  const defs: FunctionDef[] = [];
  const seen = new Set<string>();
  for (const raw of rawFunctions) {
    if (!isRecord(raw)) {
      problems.push("a function config is not an object");
      continue;
    }
    const def = parseOne(raw, appId, problems);
    if (!def) continue;
    if (seen.has(def.id)) problems.push(`function "${def.id}": duplicate id`);
    seen.add(def.id);
    defs.push(def);
  }
  if (problems.length) throw new FunctionConfigError(problems);
  return defs;
}

/** Does an event name match a trigger? Exact, or a trailing `*` wildcard such as `ai/*`. */
export function eventNameMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  return pattern.endsWith("*") && name.startsWith(pattern.slice(0, -1));
}
