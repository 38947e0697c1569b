import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { PageList } from "@/components/stories/page-list";
import { StoryHeader } from "@/components/stories/story-header";
import { toPageData } from "@/components/stories/types";
import { currentActor } from "@/lib/auth";
import { isAppError } from "@/lib/errors";
import { getStory, listPages } from "@/lib/stories";

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
    const pages = await listPages(actor, { storyId });
    return { story, pages };
  } catch (error) {
    if (isAppError(error)) {
      if (error.code === "NOT_FOUND" || error.code === "VALIDATION") notFound();
      if (error.code === "UNAUTHENTICATED") redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/stories/${storyId}`)}`);
    }
    throw error;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { storyId } = await params;
  const { story } = await loadStory(storyId);
  return { title: story.title };
}

export default async function StoryPage({ params }: Props) {
  const { storyId } = await params;
  const { story, pages } = await loadStory(storyId);
  return (
    <div className="mx-auto max-w-3xl space-y-8">
      <StoryHeader
        story={{
          id: story.id,
          title: story.title,
          description: story.description,
          updatedAt: story.updatedAt.toISOString(),
        }}
        pageCount={pages.length}
      />
      <PageList storyId={story.id} pages={pages.map(toPageData)} />
    </div>
  );
}
