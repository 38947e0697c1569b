import { describe, expect, it } from "vitest";
import { errorText } from "@/lib/ui/error-text";

describe("errors shown to admins", () => {
  it("shows the name, code and message, never the stack", () => {
    const error = {
      name: "NonRetriableError",
      code: "GEN_CONSTRAINT_FAIL",
      message: "HTTP 400 from the provider",
      stack: "NonRetriableError: HTTP 400\n    at run (/srv/app/.next/server/chunks/lib_ai_run.js:12:7)",
    };
    const text = errorText(error);
    expect(text).toBe("NonRetriableError: GEN_CONSTRAINT_FAIL: HTTP 400 from the provider");
    expect(text).not.toContain("/srv/app");
  });

  it("removes absolute file paths from messages and from errors without a message", () => {
    expect(errorText({ message: "Cannot find module '/srv/app/node_modules/x/index.js:3:9'" })).toBe(
      "Cannot find module '[server file]'",
    );
    const odd = errorText({ detail: "failed in /home/me/app/lib/ai/run.ts", stack: "at /home/me/app/lib/x.ts:1:1" });
    expect(odd).not.toContain("/home/me");
    expect(odd).not.toContain("stack");
  });

  it("does not repeat a code the message already starts with", () => {
    expect(errorText({ name: "Error", code: "GEN_TIMEOUT", message: "GEN_TIMEOUT: no text for 30 s" })).toBe(
      "Error: GEN_TIMEOUT: no text for 30 s",
    );
  });
});
