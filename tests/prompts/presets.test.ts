import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { instructionPresets } from "@/db/prompts-schema";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor } from "../helpers/fixtures";

const mocks = vi.hoisted(() => ({
  currentActor: vi.fn<() => Promise<{ id: string; role: "author" | "admin" } | null>>(),
}));
vi.mock("@/lib/auth", () => ({ currentActor: mocks.currentActor }));

const presets = await import("@/lib/stories/presets");
const actions = await import("@/app/actions/presets");

useTestDb();

let a: Actor;
let b: Actor;
let admin: Actor;

async function ownRows(userId: string) {
  return (await getDb()).select().from(instructionPresets).where(eq(instructionPresets.userId, userId));
}

beforeAll(async () => {
  a = await makeActor();
  b = await makeActor();
  admin = await makeActor("admin");
});

describe("instruction presets", () => {
  it("everyone has the four built-in presets first", async () => {
    const list = await presets.listPresets(a);
    expect(list.slice(0, 4).map((p) => p.label)).toEqual([
      "Tighten",
      "Add dialogue",
      "Fix grammar only",
      "Match the voice of the page before",
    ]);
    expect(list.every((p) => p.builtin)).toBe(true);
  });

  it("an author saves, renames and deletes their own presets; they follow the built-in ones", async () => {
    const saved = await presets.createPreset(a, { label: " Darker ", instruction: "Make it darker." });
    expect(saved).toMatchObject({ label: "Darker", instruction: "Make it darker.", builtin: false });
    expect((await presets.listPresets(a)).map((p) => p.label).slice(4)).toEqual(["Darker"]);
    const renamed = await presets.updatePreset(a, {
      id: saved.id,
      label: "Gloomier",
      instruction: "Gloomier, please.",
    });
    expect(renamed).toMatchObject({ id: saved.id, label: "Gloomier" });
    await presets.deletePreset(a, { id: saved.id });
    expect(await ownRows(a.id)).toEqual([]);
  });

  it("refuses bad input naming the field, a duplicate name, a built-in name and more than the limit", async () => {
    const empty = await expectAppError(presets.createPreset(a, { label: "", instruction: "x" }), "VALIDATION");
    expect(empty.message).toMatch(/name/);
    await expectAppError(presets.createPreset(a, { label: "Long", instruction: "x".repeat(501) }), "VALIDATION");
    await expectAppError(presets.createPreset(a, { label: "Tighten", instruction: "x" }), "VALIDATION");
    await presets.createPreset(a, { label: "Once", instruction: "x" });
    const twice = await expectAppError(presets.createPreset(a, { label: "Once", instruction: "y" }), "VALIDATION");
    expect(twice.message).toMatch(/already have a preset named/);
    for (let i = (await ownRows(a.id)).length; i < presets.PRESETS_PER_USER_MAX; i++) {
      await presets.createPreset(a, { label: `P${i}`, instruction: "x" });
    }
    await expectAppError(presets.createPreset(a, { label: "One too many", instruction: "x" }), "LIMIT_EXCEEDED");
    expect((await ownRows(a.id)).length).toBe(presets.PRESETS_PER_USER_MAX);
    await (await getDb()).delete(instructionPresets).where(eq(instructionPresets.userId, a.id));
  });

  it("a preset is its owner's alone: another author, and an admin, get NOT_FOUND and change nothing", async () => {
    const saved = await presets.createPreset(a, { label: "Mine", instruction: "Mine only." });
    for (const who of [b, admin]) {
      expect((await presets.listPresets(who)).some((p) => p.id === saved.id)).toBe(false);
      await expectAppError(presets.updatePreset(who, { id: saved.id, label: "Stolen", instruction: "x" }), "NOT_FOUND");
      await expectAppError(presets.deletePreset(who, { id: saved.id }), "NOT_FOUND");
    }
    expect((await ownRows(a.id)).map((r) => r.label)).toEqual(["Mine"]);
    await presets.deletePreset(a, { id: saved.id });
  });

  it("anonymous visitors are refused, by the domain and by the actions", async () => {
    await expectAppError(presets.listPresets(null), "UNAUTHENTICATED");
    await expectAppError(presets.createPreset(null, { label: "X", instruction: "x" }), "UNAUTHENTICATED");
    mocks.currentActor.mockResolvedValue(null);
    expect(await actions.listPresetsAction()).toMatchObject({ ok: false, error: { code: "UNAUTHENTICATED" } });
    mocks.currentActor.mockResolvedValue({ id: a.id, role: "author" });
    expect(await actions.createPresetAction({ label: "Via action", instruction: "x" })).toMatchObject({ ok: true });
    mocks.currentActor.mockResolvedValue({ id: b.id, role: "author" });
    const listed = await actions.listPresetsAction();
    expect(listed.ok && listed.data.some((p) => p.label === "Via action")).toBe(false);
  });
});
