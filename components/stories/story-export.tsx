import { Download } from "lucide-react";
import { focusRing } from "@/components/ui/button";
import { cn } from "@/lib/ui/cn";
import { RovingSummary } from "@/components/ui/roving-toolbar";

const formats = [
  { value: "epub", label: "EPUB (e-book)" },
  { value: "docx", label: "Word (DOCX)" },
  { value: "md", label: "Markdown" },
  { value: "txt", label: "Plain text" },
] as const;

const control = cn("rounded border-stone-300 text-emerald-700", focusRing);

/**
 * The story's Export menu: a format, the table of contents (by page or by chapter heading), the codex as an
 * appendix. A plain GET form: the server streams the file as an attachment, so the browser downloads it and the
 * page stays as it is (no script needed). Everyone who can read the story can export it. When a page has a chosen
 * illustration, "Include illustrations" is offered, ticked.
 */
export function StoryExport({ storyId, hasIllustrations = false }: { storyId: string; hasIllustrations?: boolean }) {
  return (
    <details className="group" data-testid="story-export">
      <RovingSummary data-testid="story-export-toggle">
        <Download aria-hidden="true" className="size-4" />
        Export
      </RovingSummary>
      <form
        method="get"
        action={`/api/stories/${storyId}/export`}
        data-testid="story-export-form"
        className="mt-2 max-w-md space-y-3 rounded-xl border border-stone-200 bg-white p-4 shadow-sm"
      >
        <fieldset className="space-y-1.5">
          <legend className="text-sm font-medium text-stone-900">Format</legend>
          {formats.map((f, i) => (
            <label key={f.value} className="flex items-center gap-2 text-sm text-stone-800">
              <input
                type="radio"
                name="format"
                value={f.value}
                defaultChecked={i === 0}
                data-testid={`story-export-format-${f.value}`}
                className={control}
              />
              {f.label}
            </label>
          ))}
        </fieldset>
        <fieldset className="space-y-1.5">
          <legend className="text-sm font-medium text-stone-900">Table of contents (EPUB, Word)</legend>
          <label className="flex items-center gap-2 text-sm text-stone-800">
            <input
              type="radio"
              name="toc"
              value="pages"
              defaultChecked
              data-testid="story-export-toc-pages"
              className={control}
            />
            One entry per page
          </label>
          <label className="flex items-center gap-2 text-sm text-stone-800">
            <input
              type="radio"
              name="toc"
              value="chapters"
              data-testid="story-export-toc-chapters"
              className={control}
            />
            One entry per chapter heading (a line starting with # or ##)
          </label>
        </fieldset>
        <label className="flex items-center gap-2 text-sm text-stone-800">
          <input type="checkbox" name="codex" value="true" data-testid="story-export-codex" className={control} />
          Add the codex as an appendix
        </label>
        {hasIllustrations ? (
          <div className="space-y-1">
            {/* An unticked box sends nothing and the route's default is on: this hidden "false" comes first, and a
                ticked box's "true" after it wins. */}
            <input type="hidden" name="illustrations" value="false" />
            <label className="flex items-center gap-2 text-sm text-stone-800">
              <input
                type="checkbox"
                name="illustrations"
                value="true"
                defaultChecked
                data-testid="story-export-illustrations"
                className={control}
              />
              Include illustrations
            </label>
            <p className="pl-6 text-xs text-stone-600">
              Markdown with illustrations downloads as a .zip: the .md file and an images folder.
            </p>
          </div>
        ) : null}
        <button
          type="submit"
          data-testid="story-export-download"
          className={cn(
            "inline-flex h-8 items-center gap-1.5 rounded-md bg-emerald-700 px-2.5 text-sm text-white shadow-sm hover:bg-emerald-800",
            focusRing,
          )}
        >
          <Download aria-hidden="true" className="size-4" />
          Download
        </button>
      </form>
    </details>
  );
}
