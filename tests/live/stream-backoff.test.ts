import { describe, expect, it } from "vitest";
import { reconnectDelay } from "@/components/stories/stream-backoff";

/** The browser's reconnect schedule for the story stream: backing off, and never hammering after a 429. */
describe("reconnectDelay", () => {
  it("starts at 1 s and doubles up to 60 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => reconnectDelay(n, false, 0))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it("waits at least the server's 30 s after a refused stream", () => {
    expect(reconnectDelay(1, true, 0)).toBe(30_000);
    expect(reconnectDelay(7, true, 0)).toBe(60_000);
  });

  it("spreads reconnects out by up to half again, never sooner", () => {
    expect(reconnectDelay(1, true, 0.999)).toBeLessThanOrEqual(45_000);
    expect(reconnectDelay(1, true, 0.999)).toBeGreaterThan(44_000);
    expect(reconnectDelay(2, false, 0.5)).toBe(2500);
  });
});
