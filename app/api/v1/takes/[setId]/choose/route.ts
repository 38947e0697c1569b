import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { chooseTake } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Chooses one take of the set: it lands like Generate; the others are discarded (kept in the ledger). */
export const POST = apiRoute(v1.chooseTake, async ({ actor, params, json }) => {
  const body = objectBody(await json());
  return { body: await chooseTake(actor, { ...body, setId: params.setId }) };
});
