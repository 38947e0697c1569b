import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  compileExpression,
  eventNameMatches,
  hashedUlid,
  nextCronTime,
  parseDuration,
  retryAfterTime,
  seededUlid,
  sleepTarget,
  ulid,
  ulidTime,
} from "@/lib/inngest/embedded/testing";
import { inngestMode, embeddedServeUrl } from "@/lib/inngest/mode";

describe("engine units", () => {
  it("evaluates the CEL subset used by triggers, cancelOn and keys", () => {
    const event = { data: { pageId: "p1", n: 3, tags: ["a"], nested: { ok: true } } };
    expect(compileExpression("event.data.pageId").value({ event })).toBe("p1");
    expect(compileExpression("event.data.missing").value({ event })).toBeUndefined();
    expect(compileExpression("event.data.n >= 3 && event.data.nested.ok").test({ event })).toBe(true);
    expect(compileExpression("!(event.data.n == 3) || event.data['pageId'] != 'p1'").test({ event })).toBe(false);
    expect(compileExpression("event.data.tags[0] == 'a'").test({ event })).toBe(true);
    expect(compileExpression("event.data.missing == null").test({ event })).toBe(true);
    expect(compileExpression("event.data.n + 1 == 4").test({ event })).toBe(true);
    const cancel = compileExpression("event.data.id == async.data.id", ["event", "async"]);
    expect(cancel.test({ event: { data: { id: 1 } }, async: { data: { id: 1 } } })).toBe(true);
    expect(cancel.test({ event: { data: { id: 1 } }, async: { data: { id: "1" } } })).toBe(false);
    expect(() => compileExpression("size(event.data)")).toThrow(/function calls/);
    expect(() => compileExpression("async.data.x == 1")).toThrow(/unknown name "async"/);
    expect(() => compileExpression("event.data.x ==")).toThrow();
    expect(() => compileExpression("event.data.x ? 1 : 2")).toThrow();
  });

  it("matches event names exactly or with a trailing wildcard", () => {
    expect(eventNameMatches("ai/*", "ai/generate.requested")).toBe(true);
    expect(eventNameMatches("ai/*", "aix/generate")).toBe(false);
    expect(eventNameMatches("ai/generate", "ai/generate")).toBe(true);
    expect(eventNameMatches("ai/generate", "ai/generate2")).toBe(false);
  });

  it("parses Inngest durations and sleep targets", () => {
    expect(parseDuration("1s")).toBe(1000);
    expect(parseDuration("2h30m10s")).toBe(9_010_000);
    expect(parseDuration("1w1d")).toBe(8 * 86_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(() => parseDuration("soon")).toThrow();
    expect(() => parseDuration("1s later")).toThrow();
    expect(sleepTarget("1m", 1000).getTime()).toBe(61_000);
    expect(sleepTarget("2030-01-01T00:00:00.000Z", 0).toISOString()).toBe("2030-01-01T00:00:00.000Z");
  });

  it("backs off exponentially with jitter, capped", () => {
    expect(backoffDelay(0, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(0, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(3, 1000, 60_000, () => 0)).toBe(4000);
    expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
    const spread = new Set(Array.from({ length: 20 }, () => backoffDelay(2, 1000, 60_000)));
    expect(spread.size).toBeGreaterThan(1);
    expect(retryAfterTime("2", 1000)!.getTime()).toBe(3000);
    expect(retryAfterTime("2030-01-01T00:00:00Z", 0)!.toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(retryAfterTime("whenever", 0)).toBeNull();
  });

  it("derives the same event ids from the same send seed, and distinct ids per index", () => {
    const seed = `1700000000000,${Buffer.alloc(10, 255).toString("base64")}`;
    expect(seededUlid(seed, 0)).toBe(seededUlid(seed, 0));
    expect(seededUlid(seed, 0)).not.toBe(seededUlid(seed, 1));
    expect(ulidTime(seededUlid(seed, 3)!)).toBe(1_700_000_000_000);
    expect(seededUlid("garbage", 0)).toBeNull();
    expect(ulid()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(hashedUlid(5, "x")).toBe(hashedUlid(5, "x"));
    expect(ulid(1000) < ulid(2000)).toBe(true);
  });

  it("computes cron times, with a time zone prefix", () => {
    const from = new Date("2026-01-01T00:00:00.500Z");
    expect(nextCronTime("* * * * * *", from).toISOString()).toBe("2026-01-01T00:00:01.000Z");
    expect(nextCronTime("0 9 * * *", from).toISOString()).toBe("2026-01-01T09:00:00.000Z");
    expect(nextCronTime("TZ=Europe/Paris 0 9 * * *", from).toISOString()).toBe("2026-01-01T08:00:00.000Z");
  });

  it("is embedded unless an external Inngest is configured", () => {
    expect(inngestMode({})).toBe("embedded");
    expect(inngestMode({ INNGEST_DEV: "1" })).toBe("external");
    expect(inngestMode({ INNGEST_SIGNING_KEY: "signkey-prod-x" })).toBe("external");
    expect(inngestMode({ INNGEST_BASE_URL: "http://inngest:8288" })).toBe("external");
    expect(embeddedServeUrl({ PORT: "4000" })).toBe("http://127.0.0.1:4000/api/inngest");
    expect(embeddedServeUrl({ INNGEST_SERVE_URL: "http://10.0.0.2:3000/api/inngest" })).toBe(
      "http://10.0.0.2:3000/api/inngest",
    );
  });
});
