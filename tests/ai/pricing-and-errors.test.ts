import { APICallError, InvalidResponseDataError } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { GenerationError, toGenerationError } from "@/lib/ai/generation-errors";
import { errorCatalog, jobFailureMessage } from "@/lib/errors";
import { costUsd } from "@/lib/ai/pricing";

function apiError(statusCode: number | undefined, headers: Record<string, string> = {}) {
  return new APICallError({
    message: "boom",
    url: "http://127.0.0.1:1/v1/chat/completions",
    requestBodyValues: {},
    statusCode,
    responseHeaders: headers,
    responseBody: '{"error":"x"}',
    isRetryable: statusCode === undefined || statusCode >= 500,
  });
}

describe("cost", () => {
  it("prices known models per million tokens", () => {
    expect(costUsd("gpt-4o-mini", { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBeCloseTo(0.75, 6);
    expect(costUsd("gpt-4o", { inputTokens: 2000, outputTokens: 500 })).toBeCloseTo(0.01, 6);
    expect(costUsd("offline", { inputTokens: 5000, outputTokens: 5000 })).toBe(0);
  });
  it("gives no cost for an unknown model rather than a wrong one", () => {
    expect(costUsd("llama3.1:8b", { inputTokens: 1000, outputTokens: 1000 })).toBeNull();
  });
});

describe("toGenerationError", () => {
  it("maps 429 to GEN_RATE_LIMITED, retriable, honouring Retry-After", () => {
    const e = toGenerationError(apiError(429, { "retry-after": "7" }));
    expect(e).toMatchObject({ code: "GEN_RATE_LIMITED", retriable: true, retryAfterMs: 7000 });
  });
  it("maps 5xx and network failures to GEN_PROVIDER_UNAVAILABLE, retriable", () => {
    expect(toGenerationError(apiError(503))).toMatchObject({ code: "GEN_PROVIDER_UNAVAILABLE", retriable: true });
    expect(toGenerationError(new TypeError("fetch failed"))).toMatchObject({
      code: "GEN_PROVIDER_UNAVAILABLE",
      retriable: true,
    });
  });
  it("maps anything else, such as a bug of ours, to INTERNAL rather than to the provider", () => {
    expect(toGenerationError(new TypeError("Cannot read properties of undefined (reading 'length')"))).toMatchObject({
      code: "INTERNAL",
    });
    expect(toGenerationError(new RangeError("Invalid array length"))).toMatchObject({ code: "INTERNAL" });
  });
  it("blames the provider for what its stream or the AI SDK reports: SDK errors and non-Error error parts", () => {
    const malformed = new InvalidResponseDataError({
      data: { choices: "?" },
      message: "Expected 'choices' to be an array",
    });
    expect(toGenerationError(malformed)).toMatchObject({ code: "GEN_PROVIDER_UNAVAILABLE", retriable: true });
    expect(toGenerationError({ message: "overloaded", type: "server_error" })).toMatchObject({
      code: "GEN_PROVIDER_UNAVAILABLE",
      retriable: true,
      message: '{"message":"overloaded","type":"server_error"}',
    });
    expect(toGenerationError("stream error")).toMatchObject({
      code: "GEN_PROVIDER_UNAVAILABLE",
      message: "stream error",
    });
  });
  it("treats other 4xx answers as permanent", () => {
    expect(toGenerationError(apiError(400))).toMatchObject({ code: "GEN_CONSTRAINT_FAIL", retriable: false });
    expect(toGenerationError(apiError(401))).toMatchObject({ code: "GEN_PROVIDER_UNAVAILABLE", retriable: false });
  });
  it("keeps an existing GenerationError and has a human message for every code", () => {
    const original = new GenerationError("GEN_TIMEOUT", "stalled", true);
    expect(toGenerationError(original)).toBe(original);
    for (const entry of Object.values(errorCatalog)) {
      for (const message of [entry.message, "job" in entry ? entry.job : entry.message]) {
        expect(message).toMatch(/^[A-Z].+\.$/);
        expect(message).not.toMatch(/HTTP|stack|Error:/);
      }
    }
  });
  it("describes a failed job per surface, with a fallback for codes outside the catalog", () => {
    expect(jobFailureMessage("GEN_TIMEOUT", "page")).toBe(
      "The AI model took too long to answer. Your text is unchanged.",
    );
    expect(jobFailureMessage("GEN_TIMEOUT", "item")).toBe("The AI model took too long to answer.");
    expect(jobFailureMessage("SOMETHING_ELSE", "item")).toBe("The generation failed.");
    expect(jobFailureMessage("NOT_FOUND", "page")).toBe("The generation failed. Your text is unchanged.");
  });
});
