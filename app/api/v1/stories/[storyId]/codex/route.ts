import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { createCodexEntry, listCodex } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** A story's codex, by kind then name; `?q=` keeps entries whose name, an alias or the description contains it. */
export const GET = apiRoute(v1.listCodex, async ({ actor, params, query }) => ({
  body: { entries: await listCodex(actor, { q: query().q, storyId: params.storyId }) },
}));

/** Adds an entry → 201; every field error is a 400 naming the field, and nothing is saved. */
export const POST = apiRoute(v1.createCodexEntry, async ({ actor, params, json }) => {
  const entry = await createCodexEntry(actor, { ...objectBody(await json()), storyId: params.storyId });
  return { body: entry, headers: { location: `/api/v1/codex/${entry.id}` } };
});
