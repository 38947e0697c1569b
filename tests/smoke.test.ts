import { describe, expect, it } from "vitest";
import { listStories, createStory } from "@/lib/stories";
import { createUser } from "@/lib/auth/users";
import { useTestDb } from "./helpers/db";

useTestDb();

describe("smoke", () => {
  it("creates a user and a story", async () => {
    const user = await createUser({ name: "A", email: "a@example.com", password: "password1" });
    const actor = { id: user.id, role: user.role };
    await createStory(actor, { title: "Hello" });
    const list = await listStories(actor);
    expect(list).toHaveLength(1);
    expect(list[0]!.pageCount).toBe(0);
  });
});
