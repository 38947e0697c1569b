import type { Metadata } from "next";
import Link from "next/link";
import { currentActor } from "@/lib/auth";
import { pageError } from "@/lib/http/render-error";
import { getStory, getTranslationPair, listTranslations } from "@/lib/stories";

interface Props {
  params: Promise<{ storyId: string }>;
  searchParams: Promise<{ page?: string }>;
}

export const metadata: Metadata = { title: "Side by side" };

/**
 * A page of a translation beside the source page it mirrors, read-only, one page at a time (a 200-page story is not
 * loaded whole). Someone who may not read the translation, and a story that is not one, get not found.
 */
export default async function SideBySidePage({ params, searchParams }: Props) {
  const { storyId } = await params;
  const { page } = await searchParams;
  const actor = await currentActor();
  const load = async () => {
    try {
      const [story, links, pair] = await Promise.all([
        getStory(actor, { storyId }),
        listTranslations(actor, { storyId }),
        getTranslationPair(actor, { translationId: storyId, pageNumber: page ?? "1" }),
      ]);
      return { story, links, pair };
    } catch (error) {
      pageError(error, { notFound: ["NOT_FOUND", "VALIDATION"], signInCallback: `/stories/${storyId}/side-by-side` });
    }
  };
  const { story, links, pair } = await load();
  const n = pair.pageNumber;
  const nav = (to: number, label: string, testId: string) =>
    to >= 1 && to <= pair.pageCount ? (
      <Link
        data-testid={testId}
        className="text-sm font-medium text-violet-700 underline"
        href={`/stories/${storyId}/side-by-side?page=${to}`}
      >
        {label}
      </Link>
    ) : (
      <span className="text-sm text-stone-500">{label}</span>
    );
  return (
    <div className="mx-auto max-w-6xl space-y-4" data-testid="side-by-side">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold text-stone-900">
          <Link className="underline" href={`/stories/${storyId}`}>
            {story.title}
          </Link>{" "}
          <span className="font-normal text-stone-600">beside its source</span>
        </h1>
        <nav aria-label="Pages" className="flex items-center gap-3">
          {nav(n - 1, "Previous page", "side-by-side-previous")}
          <span className="text-sm text-stone-700 tabular-nums" data-testid="side-by-side-page">
            Page {n} of {pair.pageCount}
          </span>
          {nav(n + 1, "Next page", "side-by-side-next")}
        </nav>
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <section aria-label="Source page" className="space-y-2 rounded-xl border border-stone-200 bg-white p-4">
          <h2 className="text-sm font-semibold text-stone-800">
            Source{links.source ? ` · ${links.source.languageName}` : ""}
          </h2>
          <div data-testid="side-by-side-source" className="whitespace-pre-wrap text-stone-900">
            {pair.source ? pair.source.content || "(blank)" : "The source page was deleted."}
          </div>
        </section>
        <section aria-label="Translated page" className="space-y-2 rounded-xl border border-stone-200 bg-white p-4">
          <h2 className="text-sm font-semibold text-stone-800">
            Translation{links.translation ? ` · ${links.translation.languageName}` : ""}
            {pair.translation.stale ? (
              <span
                data-testid="side-by-side-stale"
                className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900"
              >
                out of date
              </span>
            ) : null}
          </h2>
          <div data-testid="side-by-side-translation" className="whitespace-pre-wrap text-stone-900">
            {pair.translation.content || "(not translated yet)"}
          </div>
        </section>
      </div>
    </div>
  );
}
