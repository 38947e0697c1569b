import { getDb } from "@/db";
import { loadPageFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { pageIdSchema, parseInput } from "../validation";
import { findOpenTakeSet, toTakeSetView, type TakeSetView } from "./view";

/** The page's open take set (being written, or waiting for a choice), for a page that opens or reloads. */
export async function getOpenTakeSet(actorOrNull: Actor | null, input: unknown): Promise<TakeSetView | null> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(pageIdSchema, input);
  const db = await getDb();
  const { page } = await loadPageFor(db, actor, "read", pageId);
  const set = await findOpenTakeSet(db, page.id);
  return set ? toTakeSetView(db, set) : null;
}
