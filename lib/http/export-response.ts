import type { StoryExport } from "@/lib/stories";

/**
 * The HTTP answer of an export: the streamed file with its content type and the story's title as its name. Private
 * and not cached (a story's text is not for shared caches); `nosniff` so a Markdown file is never run as a page.
 */
export function exportResponse(file: StoryExport): Response {
  return new Response(file.body, {
    status: 200,
    headers: {
      "content-type": file.contentType,
      "content-disposition": file.disposition,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
