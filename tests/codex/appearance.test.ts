import { describe, expect, it } from "vitest";
import { createCodexEntry, getCodexEntry, updateCodexEntry } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory } from "../helpers/fixtures";

useTestDb();

describe("codex appearance (illustrations)", () => {
  it("is stored, updated on its own, kept when other fields change, and limited to 1,000 characters", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, ["Mara sailed."]);
    const created = await createCodexEntry(author, {
      storyId: story.id,
      kind: "character",
      name: "Mara",
      appearance: "  red coat, short black hair  ",
    });
    expect(created.appearance).toBe("red coat, short black hair");
    const renamed = await updateCodexEntry(author, { entryId: created.id, baseVersion: 1, description: "A sailor." });
    expect(renamed.appearance).toBe("red coat, short black hair");
    const changed = await updateCodexEntry(author, { entryId: created.id, baseVersion: 2, appearance: "grey cloak" });
    expect(changed.appearance).toBe("grey cloak");
    const error = await expectAppError(
      updateCodexEntry(author, { entryId: created.id, baseVersion: 3, appearance: "x".repeat(1001) }),
      "VALIDATION",
    );
    expect(Object.keys((error.details?.fields ?? {}) as object)).toContain("appearance");
    expect((await getCodexEntry(author, { entryId: created.id })).appearance).toBe("grey cloak");
  });
});
