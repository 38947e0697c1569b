import { count, eq, notInArray } from "drizzle-orm";
import { getDb } from "@/db";
import { pages, stories, users } from "@/db/schema";
import { createUser, findUserByEmail } from "@/lib/auth/users";
import { addPage } from "./pages";
import { createStory } from "./stories";

import { demoAccounts } from "./demo-accounts";

export { demoAccounts };

const demoPages = [
  "The lighthouse at Gull Point had been dark for eleven years when Mara Quill climbed its stairs with a borrowed key and a tin of lamp oil.",
  'Inside the lamp room she found a logbook, its last entry written in a hand she knew: her grandmother\'s. "The light is not for ships," it read.',
  "That night Mara lit the lamp. Out on the water, where no boat should have been, a second light answered — green, slow, patient.",
  "In the village, old Tobin refused to speak of it. He only pressed a brass compass into her palm; its needle pointed at the sea, not north.",
  "",
  "",
];

/**
 * Gives a newcomer something to look at on the embedded defaults. Runs only when the embedded database holds no one
 * but the demo accounts, and never against a real server: known passwords must not end up in a real database.
 *
 * The demo admin is created last and marks the demo complete. A start killed half-way through seeding finishes the
 * demo on the next start (missing author, story or pages are added) instead of leaving it half-made forever; once
 * complete it is never touched again, so a demo story the author deleted stays deleted. Returns whether anything
 * was created.
 */
export async function seedDemoIfEmpty(): Promise<boolean> {
  const db = await getDb();
  const demoEmails = [demoAccounts.admin.email, demoAccounts.author.email];
  const [others] = await db.select({ n: count() }).from(users).where(notInArray(users.email, demoEmails));
  if ((others?.n ?? 0) > 0) return false;
  if (await findUserByEmail(demoAccounts.admin.email)) return false;

  const author =
    (await findUserByEmail(demoAccounts.author.email)) ??
    (await createUser(demoAccounts.author, { bypassSignupSwitch: true }));
  const actor = { id: author.id, role: author.role };
  const [existingStory] = await db
    .select({ id: stories.id })
    .from(stories)
    .where(eq(stories.ownerId, author.id))
    .limit(1);
  const storyId =
    existingStory?.id ??
    (
      await createStory(actor, {
        title: "The Keeper of Gull Point",
        description:
          "A young woman relights her grandmother's abandoned lighthouse and discovers that its beam was never meant for ships, but for something waiting beneath the sea.",
      })
    ).id;
  const [have] = await db.select({ n: count() }).from(pages).where(eq(pages.storyId, storyId));
  for (const content of demoPages.slice(have?.n ?? 0)) await addPage(actor, { storyId, content });
  await createUser(demoAccounts.admin, { role: "admin", bypassSignupSwitch: true });
  return true;
}
