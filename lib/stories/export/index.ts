import { Readable } from "node:stream";
import { getDb } from "@/db";
import { log } from "@/lib/log";
import { loadStoryFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { parseInput } from "../validation";
import { docxBuffer } from "./docx";
import { epubStream } from "./epub";
import { exportContentTypes, MARKDOWN_BUNDLE_TYPE } from "./content-types";
import { contentDisposition, fileBaseName } from "./filename";
import { markdownBundleStream, markdownChunks } from "./markdown";
import { plainTextChunks } from "./plain-text";
import { exportStorySchema, type ExportFormat } from "./schema";
import { databaseSource, hasChosenIllustrations, type ExportSource } from "./source";
import type { TocMode } from "./toc";

export { exportContentTypes, MARKDOWN_BUNDLE_TYPE } from "./content-types";
export { exportFormats, exportQuerySchema, type ExportFormat } from "./schema";

export interface StoryExport {
  format: ExportFormat;
  /** Markdown with illustrations comes as a zip (the .md file and its images/ folder). */
  bundle: boolean;
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

/** The bytes of one export, as a stream. `bundle`: Markdown as a zip with its images. */
export function exportBody(
  source: ExportSource,
  format: ExportFormat,
  toc: TocMode,
  bundle = false,
): ReadableStream<Uint8Array> {
  switch (format) {
    case "md":
      if (bundle) {
        const name = `${fileBaseName(source.story.title)}.md`;
        return Readable.toWeb(markdownBundleStream(source, name)) as ReadableStream<Uint8Array>;
      }
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
  const { storyId, format, toc, codex, illustrations } = parseInput(exportStorySchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "read", storyId);
  // Markdown cannot hold an image, so with illustrations it becomes a zip; decided before the first byte (the
  // headers), and a story without a chosen illustration stays a plain .md.
  const bundle = format === "md" && illustrations && (await hasChosenIllustrations(db, story.id));
  const withImages = illustrations && (format !== "md" || bundle);
  return {
    format,
    bundle,
    disposition: contentDisposition(story.title, bundle ? "zip" : format),
    contentType: bundle ? MARKDOWN_BUNDLE_TYPE : exportContentTypes[format],
    body: exportBody(databaseSource(db, story, codex, withImages), format, toc, bundle),
  };
}
