import { Readable } from "node:stream";
import { getDb } from "@/db";
import { log } from "@/lib/log";
import { loadStoryFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { parseInput } from "../validation";
import { docxBuffer } from "./docx";
import { epubStream } from "./epub";
import { exportContentTypes } from "./content-types";
import { contentDisposition } from "./filename";
import { markdownChunks } from "./markdown";
import { plainTextChunks } from "./plain-text";
import { exportStorySchema, type ExportFormat } from "./schema";
import { databaseSource, type ExportSource } from "./source";
import type { TocMode } from "./toc";

export { exportContentTypes } from "./content-types";
export { exportFormats, exportQuerySchema, type ExportFormat } from "./schema";

export interface StoryExport {
  format: ExportFormat;
  /** The Content-Disposition header: the story's title as the file name. */
  disposition: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

/** A stream of UTF-8 text chunks, pulled one at a time (the next batch of pages is read when the reader wants it). */
function textStream(chunks: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
      } catch (error) {
        log("error", "export failed while streaming", { error });
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

/** The bytes of one export, as a stream. */
export function exportBody(source: ExportSource, format: ExportFormat, toc: TocMode): ReadableStream<Uint8Array> {
  switch (format) {
    case "md":
      return textStream(markdownChunks(source));
    case "txt":
      return textStream(plainTextChunks(source));
    case "epub":
      return Readable.toWeb(epubStream(source, toc)) as ReadableStream<Uint8Array>;
    case "docx": {
      let built: Promise<Buffer> | null = null;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (built) return controller.close();
          built = docxBuffer(source, toc);
          controller.enqueue(new Uint8Array(await built));
        },
      });
    }
  }
}

/**
 * Exports a story for anyone who may read it (`can(actor, "read", story)`; anyone else: NOT_FOUND, as for a missing
 * story). Access is checked before the first byte; the pages are then read in batches as the download is written.
 */
export async function exportStory(actorOrNull: Actor | null, input: unknown): Promise<StoryExport> {
  const actor = requireActor(actorOrNull);
  const { storyId, format, toc, codex } = parseInput(exportStorySchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "read", storyId);
  return {
    format,
    disposition: contentDisposition(story.title, format),
    contentType: exportContentTypes[format],
    body: exportBody(databaseSource(db, story, codex), format, toc),
  };
}
