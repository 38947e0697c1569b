import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { deleteCodexEntry, updateCodexEntry } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Changes the given fields from `baseVersion`; a stale version is a 409 CONFLICT with the entry as it is now. */
export const PATCH = apiRoute(v1.updateCodexEntry, async ({ actor, params, json }) => ({
  body: await updateCodexEntry(actor, { ...objectBody(await json()), entryId: params.entryId }),
}));

export const DELETE = apiRoute(v1.deleteCodexEntry, async ({ actor, params }) => {
  const { id } = await deleteCodexEntry(actor, { entryId: params.entryId });
  return { body: { id, deleted: true as const } };
});
