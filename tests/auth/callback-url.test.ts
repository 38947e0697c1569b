import { describe, expect, it } from "vitest";
import { DEFAULT_AFTER_SIGN_IN, safeCallbackPath } from "@/lib/auth/callback-url";

describe("the path a visitor returns to after sign-in", () => {
  it.each([
    ["/stories/3f1c?tab=history#page-2", "/stories/3f1c?tab=history#page-2"],
    ["/settings", "/settings"],
    ["/stories/../admin/jobs", "/admin/jobs"],
  ])("keeps a same-site path (%s)", (given, kept) => {
    expect(safeCallbackPath(given)).toBe(kept);
  });

  it.each([
    // What the probe used: a browser reads the backslash as a slash, so these are other hosts.
    ["/\\evil.example/phish"],
    ["/\t/evil.example/phish"],
    ["/\n/evil.example"],
    ["//evil.example/phish"],
    ["https://evil.example/"],
    ["javascript:alert(1)"],
    ["evil.example"],
    [""],
  ])("refuses anything that leaves the site (%j)", (given) => {
    expect(safeCallbackPath(given)).toBe(DEFAULT_AFTER_SIGN_IN);
  });

  it("refuses what is not a single string (a repeated query parameter, a missing field)", () => {
    expect(safeCallbackPath(["/settings", "/stories"])).toBe(DEFAULT_AFTER_SIGN_IN);
    expect(safeCallbackPath(null)).toBe(DEFAULT_AFTER_SIGN_IN);
  });
});
