import { describe, expect, it } from "vitest";
import { createOfflineModel, offlineText } from "@/lib/ai/offline-model";
import { countTokens } from "@/lib/ai/tokens";
import {
  CONTINUE_INSTRUCTION,
  joinContinuation,
  planResume,
  RESUME_MIN_PARTIAL_TOKENS,
} from "@/lib/ai/workflows/continuation";
import { InterruptedGenerationError, streamGeneration } from "@/lib/ai/workflows/stream-generation";
import { stallingModel } from "../helpers/stalling-model";

const prompt =
  "You are helping write a story, page by page. Mara climbed the lighthouse stairs, and Tobin waited by the shore. " +
  "Write page 3.";
const settings = { stallTimeoutMs: 200, totalTimeoutMs: 10_000, flushIntervalMs: 0 };

describe("joinContinuation", () => {
  const partial = "The lamp woke with a sigh, and the sea answered in its own slow voice. ";

  it("appends the continuation to the partial as it is", () => {
    expect(joinContinuation(partial, "Mara listened.")).toBe(`${partial}Mara listened.`);
    expect(joinContinuation("The lam", "p woke.")).toBe("The lamp woke.");
    expect(joinContinuation(partial, "")).toBe(partial);
    expect(joinContinuation("", "Fresh.")).toBe("Fresh.");
  });

  it("never repeats the partial: a continuation that restarts or repeats the last words loses the repeat", () => {
    expect(joinContinuation(partial, `${partial}Mara listened.`)).toBe(`${partial}Mara listened.`);
    expect(joinContinuation(partial, "in its own slow voice. Mara listened.")).toBe(`${partial}Mara listened.`);
    // A short coincidence ("the ") is no repeat.
    expect(joinContinuation("She found the ", "the key.")).toBe("She found the the key.");
  });

  it("mends the seam's whitespace", () => {
    expect(joinContinuation(partial, " Mara listened.")).toBe(`${partial}Mara listened.`);
    expect(joinContinuation("The sea answered.", "Mara listened.")).toBe("The sea answered. Mara listened.");
    expect(joinContinuation("The sea answered.", "\n\nMara listened.")).toBe("The sea answered.\n\nMara listened.");
    expect(joinContinuation("First paragraph.\n\n", "Second.")).toBe("First paragraph.\n\nSecond.");
  });

  it("always starts with the partial, however little of the continuation has streamed", () => {
    const continuation = "in its own slow voice. Mara listened, and then she went down the stairs.";
    for (let n = 0; n <= continuation.length; n++)
      expect(joinContinuation(partial, continuation.slice(0, n)).startsWith(partial)).toBe(true);
  });
});

describe("planResume", () => {
  const long = "word ".repeat(200);

  it("resumes a partial worth keeping, with what is left of the output allowance", () => {
    expect(planResume({ prompt, partial: long, inputBudgetTokens: 8000 })).toMatchObject({
      resume: true,
      partial: long,
    });
    const plan = planResume({ prompt, partial: long, inputBudgetTokens: 8000, maxOutputTokens: 1000 });
    expect(plan).toMatchObject({ resume: true, maxOutputTokens: 1000 - countTokens(long) });
  });

  it("starts from zero without a partial, with a tiny one, over the budget or with no output allowance left", () => {
    expect(planResume({ prompt, partial: null, inputBudgetTokens: 8000 })).toEqual({ resume: false, reason: null });
    expect(planResume({ prompt, partial: "  ", inputBudgetTokens: 8000 })).toEqual({ resume: false, reason: null });
    expect(planResume({ prompt, partial: "A few words.", inputBudgetTokens: 8000 })).toMatchObject({
      resume: false,
      reason: expect.stringContaining(`under ${RESUME_MIN_PARTIAL_TOKENS}`),
    });
    expect(planResume({ prompt, partial: long, inputBudgetTokens: 100 })).toMatchObject({
      resume: false,
      reason: expect.stringContaining("exceeds the input budget of 100"),
    });
    expect(planResume({ prompt, partial: long, inputBudgetTokens: 8000, maxOutputTokens: 150 })).toMatchObject({
      resume: false,
      reason: expect.stringContaining("150 output tokens"),
    });
  });
});

describe("a stalled stream continued (offline model)", () => {
  it("keeps what streamed, and the continuation completes exactly the uninterrupted answer", async () => {
    const whole = offlineText(prompt);
    const wholeWords = whole.split(/(?<= )/);
    expect(wholeWords.length).toBeGreaterThan(20);
    const cutAt = Math.floor(wholeWords.length * 0.8);
    const { model, calls } = stallingModel(createOfflineModel({ msPerWord: 0 }), cutAt);

    const saved: string[] = [];
    const interrupted = await streamGeneration({
      model,
      prompt,
      ...settings,
      // One periodic save (the first word): the rest reaches storage only through the save on failure.
      flushIntervalMs: 60_000,
      onPartial: (text, final) => {
        if (!final) saved.push(text);
      },
    }).catch((error: unknown) => error);
    expect(interrupted).toBeInstanceOf(InterruptedGenerationError);
    const { code, streamedText } = interrupted as InterruptedGenerationError;
    expect(code).toBe("GEN_TIMEOUT");
    expect(streamedText).toBe(wholeWords.slice(0, cutAt).join(""));
    // The text that streamed is saved before the error is thrown, to its last word.
    expect(saved.at(-1)).toBe(streamedText);

    const resumed = await streamGeneration({ model, prompt, continueFrom: streamedText, ...settings });
    expect(joinContinuation(streamedText, resumed.text)).toBe(whole);
    expect(resumed.text).toBe(wholeWords.slice(cutAt).join(""));
    // Billed for the continuation only.
    expect(resumed.outputTokens).toBe(Math.ceil(resumed.text.length / 4));

    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual([
      { role: "user", content: [{ type: "text", text: prompt }] },
      { role: "assistant", content: [{ type: "text", text: streamedText }] },
      { role: "user", content: [{ type: "text", text: CONTINUE_INSTRUCTION }] },
    ]);
  });

  it("an empty continuation (the answer was complete) is the partial, not GEN_EMPTY_OUTPUT", async () => {
    const whole = offlineText(prompt);
    const model = createOfflineModel({ msPerWord: 0 });
    const resumed = await streamGeneration({ model, prompt, continueFrom: whole, ...settings });
    expect(resumed.text).toBe("");
    expect(joinContinuation(whole, resumed.text)).toBe(whole);
  });
});
