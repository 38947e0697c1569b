import { apiFileRoute } from "@/lib/http/api-route";
import { handleImportUpload } from "@/lib/http/import-upload";
import { v1 } from "@/lib/http/v1-operations";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Import a manuscript → 202 with the import job (Location: /api/v1/jobs/{id}); `preview=true` → 200 with the split.
 * Any token's user may import: the story is created as theirs.
 */
export const POST = apiFileRoute(v1.importStory, async ({ actor, request }) => handleImportUpload(actor, request));
