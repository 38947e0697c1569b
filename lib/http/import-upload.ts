import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { previewImport, startImport, type Actor } from "@/lib/stories";
import { limits } from "@/lib/stories/limits";

/** Room for the multipart envelope and the other fields around the file. */
const ENVELOPE_BYTES = 64 * 1024;
const tooLarge = () =>
  new AppError(
    "IMPORT_TOO_LARGE",
    `This file is larger than the import limit of ${limits.importFileMax / 1024 / 1024} MB.`,
    {
      limitBytes: limits.importFileMax,
    },
  );

/**
 * The multipart body, read no further than the import limit (a declared Content-Length over it is refused before
 * reading), then handed to the platform's multipart parser.
 */
async function readUpload(request: Request): Promise<FormData> {
  const max = limits.importFileMax + ENVELOPE_BYTES;
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    throw new AppError("VALIDATION", "Send the file as multipart/form-data (field `file`).", {
      fields: { body: "Must be multipart/form-data." },
    });
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  try {
    return await new Response(Buffer.concat(chunks), { headers: { "content-type": type } }).formData();
  } catch (error) {
    throw new AppError("VALIDATION", "The upload could not be read as multipart/form-data.", undefined, {
      cause: error,
    });
  }
}

const field = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" && value !== "" ? value : undefined;
};

/**
 * One import request (REST with a token, or the stories page with its session): preview=true answers 200 with the
 * split; otherwise the import starts and the answer is 202 with the job and its Location.
 */
export async function handleImportUpload(actor: Actor | null, request: Request): Promise<Response> {
  const form = await readUpload(request);
  const upload = form.get("file");
  const file =
    upload && typeof upload !== "string" ? { name: upload.name, bytes: Buffer.from(await upload.arrayBuffer()) } : null;
  const options = { mode: field(form, "mode"), targetLength: field(form, "targetLength") };
  const noStore = { "cache-control": "no-store" };
  if (field(form, "preview") === "true") {
    return NextResponse.json(await previewImport(actor, { file, options }), { status: 200, headers: noStore });
  }
  const job = await startImport(actor, { file, options });
  return NextResponse.json(job, { status: 202, headers: { ...noStore, location: `/api/v1/jobs/${job.id}` } });
}
