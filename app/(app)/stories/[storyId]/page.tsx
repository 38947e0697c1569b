import type { Metadata } from "next";
import { RovingToolbar } from "@/components/ui/roving-toolbar";
import { cache } from "react";
import { Alert } from "@/components/ui/alert";
import { MembersPanel } from "@/components/stories/members-panel";
import { CodexPanel } from "@/components/stories/codex/codex-panel";
import { PageList } from "@/components/stories/page-list";
import { StoryHeader } from "@/components/stories/story-header";
import { StoryExport } from "@/components/stories/story-export";
import { StoryPageCountProvider } from "@/components/stories/story-page-count";
import { type StoryRights, StoryRightsProvider } from "@/components/stories/story-rights";
import { StoryEventsProvider } from "@/components/stories/story-events";
import { CodexEntriesProvider } from "@/components/stories/codex/codex-entries-context";
import { SummarizeAll } from "@/components/stories/summarize-all";
import { TranslationsPanel } from "@/components/stories/translations-panel";
import { toPageData, toSuggestionData } from "@/components/stories/types";
import { resolveModel, storyModelChoices } from "@/lib/ai";
import { currentActor } from "@/lib/auth";
import { pageError } from "@/lib/http/render-error";
import { log } from "@/lib/log";
import {
  chosenIllustrations,
  codexMentionsByPage,
  getCodexSuggestRun,
  listCodex,
  listCodexSuggestions,
  getBackgroundRevision,
  getMyRatingLimits,
  can,
  getStory,
  listActivePageJobs,
  listOpenSuggestions,
  listMembers,
  listPages,
  listPageSummaries,
  listTranslations,
  type Actor,
  type MembersView,
} from "@/lib/stories";

interface Props {
  params: Promise<{ storyId: string }>;
}

/**
 * Loads the story and its pages once per request (shared by the metadata and the page).
 * Someone else's story and a missing one look the same: not found. So does an id that is not an id.
 */
const loadStory = cache(async (storyId: string) => {
  const actor = await currentActor();
  try {
    const story = await getStory(actor, { storyId });
    const [pages, members] = await Promise.all([listPages(actor, { storyId }), listMembers(actor, { storyId })]);
    return { actor, story, pages, members };
  } catch (error) {
    pageError(error, { notFound: ["NOT_FOUND", "VALIDATION"], signInCallback: `/stories/${storyId}` });
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { storyId } = await params;
  const { story } = await loadStory(storyId);
  return { title: story.title };
}

/**
 * What the AI is doing on this story: running jobs (so a reload or a second tab shows them) and open suggestions.
 * The story stays writable if this part fails: it is logged and the page renders without it.
 */
async function loadGeneration(actor: Actor | null, storyId: string, storyModel: string | null) {
  const [activeJobs, suggestions, backgroundRevision] = await Promise.all([
    listActivePageJobs(actor, { storyId }).catch((error: unknown) => {
      log("error", "story page: active AI jobs not loaded", { storyId, error });
      return [];
    }),
    listOpenSuggestions(actor, { storyId }).catch((error: unknown) => {
      log("error", "story page: AI suggestions not loaded", { storyId, error });
      return [];
    }),
    getBackgroundRevision(actor, { storyId }).catch((error: unknown) => {
      log("error", "story page: background revision not loaded", { storyId, error });
      return null;
    }),
  ]);
  let modelLabel: string | null = null;
  try {
    modelLabel = resolveModel(process.env, { storyChoice: storyModel }).label;
  } catch (error) {
    log("error", "story page: AI model misconfigured", { error });
  }
  return { activeJobs, suggestions: suggestions.map(toSuggestionData), modelLabel, backgroundRevision };
}

/** The story's codex, its suggestions and what each page mentions; like the AI part, the story renders without it. */
async function loadCodex(actor: Actor | null, storyId: string) {
  try {
    const [entries, suggestions, run, mentions] = await Promise.all([
      listCodex(actor, { storyId }),
      listCodexSuggestions(actor, { storyId }),
      getCodexSuggestRun(actor, { storyId }),
      codexMentionsByPage(actor, { storyId }),
    ]);
    return { entries, suggestions, run, mentions };
  } catch (error) {
    log("error", "story page: codex not loaded", { storyId, error });
    return null;
  }
}

/** The story's translations (or, for a translation, its source); like the AI part, the story renders without it. */
async function loadTranslations(actor: Actor | null, storyId: string) {
  return listTranslations(actor, { storyId }).catch((error: unknown) => {
    log("error", "story page: translations not loaded", { storyId, error });
    return null;
  });
}

/** The chosen illustration of each page; the story renders without them if they cannot be read. */
async function loadIllustrations(actor: Actor | null, storyId: string) {
  try {
    return await chosenIllustrations(actor, { storyId });
  } catch (error) {
    log("error", "story page: illustrations not loaded", { storyId, error });
    return {};
  }
}

/** Numbers of the pages whose summary waits for an AI budget; the story renders without them if they cannot be read. */
async function loadSummaryBudgetWaits(actor: Actor | null, storyId: string): Promise<number[]> {
  try {
    const summaries = await listPageSummaries(actor, { storyId });
    return summaries.flatMap((s, index) => (s.notRefreshedReason === "budget" ? [index + 1] : []));
  } catch (error) {
    log("error", "story page: summary waits not loaded", { storyId, error });
    return [];
  }
}

/**
 * What the viewer may change, from the same predicate the server's writes check (a reader gets a read-only page,
 * an editor everything but what only the owner does).
 */
function rightsOf(actor: Actor, ownerId: string, members: MembersView): StoryRights {
  const access = { ownerId, members: members.members.map((m) => ({ userId: m.userId, role: m.role })) };
  return {
    edit: can(actor, "edit", access),
    generate: can(actor, "generate", access),
    review: can(actor, "review", access),
    manage: can(actor, "manage", access),
  };
}

/** The models an author may pick for the story's prose; none shown when the site has one (or its registry is bad). */
function modelChoices(): { id: string; name: string }[] {
  try {
    return storyModelChoices().map((m) => ({ id: m.id, name: m.name }));
  } catch {
    return [];
  }
}

export default async function StoryPage({ params }: Props) {
  const { storyId } = await params;
  const { actor, story, pages, members } = await loadStory(storyId);
  const [
    { activeJobs, suggestions, modelLabel, backgroundRevision },
    codex,
    limits,
    translations,
    illustrations,
    summaryBudgetWaits,
  ] = await Promise.all([
    loadGeneration(actor, story.id, story.modelId),
    loadCodex(actor, story.id),
    getMyRatingLimits(actor),
    loadTranslations(actor, story.id),
    loadIllustrations(actor, story.id),
    loadSummaryBudgetWaits(actor, story.id),
  ]);
  const rights = rightsOf(actor!, story.ownerId, members);
  const ratingLimit = { effectiveMax: limits.effectiveMax, setBy: limits.setBy };
  // From lg the codex sits beside the pages; from xl the story breaks out of the app's column (as the admin job
  // history does) so that the pages get a ~720 px column and the codex a wider one, instead of empty margins.
  const layout = (
    <div className="mx-auto max-w-3xl space-y-8 lg:grid lg:max-w-6xl lg:grid-cols-[minmax(0,1fr)_22rem] lg:items-start lg:gap-8 lg:space-y-0 xl:-mx-24 xl:max-w-none xl:grid-cols-[minmax(0,1fr)_26rem]">
      <StoryPageCountProvider initial={pages.length}>
        <div className="min-w-0 space-y-8">
          <StoryHeader
            story={{
              id: story.id,
              title: story.title,
              description: story.description,
              language: story.language,
              contentRating: story.contentRating,
              modelId: story.modelId,
              updatedAt: story.updatedAt.toISOString(),
            }}
            modelChoices={modelChoices()}
            pageCount={pages.length}
            ratingLimit={ratingLimit}
          />
          {!rights.edit ? (
            <Alert tone="info" data-testid="story-reader-notice">
              You can read this story and export it, but not change it: you were invited as a reader.
            </Alert>
          ) : null}
          {/* One tab stop for Share, Export, Summarize all and Translate: the arrows move between them. */}
          <RovingToolbar label="Story tools" className="space-y-8">
            <div className="flex flex-wrap items-start gap-2">
              <MembersPanel initial={members} viewerId={actor!.id} />
              <StoryExport storyId={story.id} hasIllustrations={Object.keys(illustrations).length > 0} />
            </div>
            <SummarizeAll storyId={story.id} budgetWaits={summaryBudgetWaits} />
            {translations ? (
              <TranslationsPanel storyId={story.id} storyLanguage={story.language} initial={translations} />
            ) : null}
          </RovingToolbar>
          <StoryEventsProvider storyId={story.id}>
            <PageList
              storyId={story.id}
              pages={pages.map(toPageData)}
              activeJobs={activeJobs}
              suggestions={suggestions}
              modelLabel={modelLabel}
              backgroundRevision={backgroundRevision}
              mentions={codex?.mentions}
              illustrations={illustrations}
            />
          </StoryEventsProvider>
        </div>
      </StoryPageCountProvider>
      {codex ? (
        <CodexPanel storyId={story.id} entries={codex.entries} suggestions={codex.suggestions} run={codex.run} />
      ) : null}
    </div>
  );
  // The codex panel and the page cards share the codex, so that mention chips follow its changes and the text's.
  return (
    <StoryRightsProvider rights={rights}>
      {codex ? <CodexEntriesProvider initialEntries={codex.entries}>{layout}</CodexEntriesProvider> : layout}
    </StoryRightsProvider>
  );
}
