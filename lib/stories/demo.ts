import { count } from "drizzle-orm";
import { getDb } from "@/db";
import { users } from "@/db/schema";
import { createUser } from "@/lib/auth/users";
import { addPage } from "./pages";
import { createStory } from "./stories";

export const demoAccounts = {
  admin: { email: "admin@storysprout.local", password: "sprout-admin", name: "Ada Admin" },
  author: { email: "author@storysprout.local", password: "sprout-author", name: "Mara Author" },
} as const;

const demoPages = [
  "The lighthouse at Gull Point had been dark for eleven years when Mara Quill climbed its stairs with a borrowed key and a tin of lamp oil.",
  "Inside the lamp room she found a logbook, its last entry written in a hand she knew: her grandmother's. \"The light is not for ships,\" it read.",
  "That night Mara lit the lamp. Out on the water, where no boat should have been, a second light answered — green, slow, patient.",
  "In the village, old Tobin refused to speak of it. He only pressed a brass compass into her palm; its needle pointed at the sea, not north.",
  "",
  "",
];

/**
 * Gives a newcomer something to look at on the embedded defaults. Runs only when the embedded database has no users,
 * and never against a real server: known passwords must not end up in a real database.
 */
export async function seedDemoIfEmpty(): Promise<boolean> {
  const db = await getDb();
  const [row] = await db.select({ n: count() }).from(users);
  if ((row?.n ?? 0) > 0) return false;
  const admin = await createUser(demoAccounts.admin, { role: "admin", bypassSignupSwitch: true });
  const author = await createUser(demoAccounts.author, { bypassSignupSwitch: true });
  const actor = { id: author.id, role: author.role };
  const story = await createStory(actor, {
    title: "The Keeper of Gull Point",
    description:
      "A young woman relights her grandmother's abandoned lighthouse and discovers that its beam was never meant for ships, but for something waiting beneath the sea.",
  });
  for (const content of demoPages) await addPage(actor, { storyId: story.id, content });
  void admin;
  return true;
}
