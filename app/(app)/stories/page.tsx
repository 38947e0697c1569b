import type { Metadata } from "next";
import { ImportStory } from "@/components/stories/import-story";
import { StoryInvitations } from "@/components/stories/story-invitations";
import { StoryList } from "@/components/stories/story-list";
import { auth, currentActor } from "@/lib/auth";
import { listMyInvitations, listStories } from "@/lib/stories";

export const metadata: Metadata = { title: "Stories" };

export default async function StoriesPage() {
  const [actor, session] = await Promise.all([currentActor(), auth()]);
  const [stories, invitations] = await Promise.all([listStories(actor), listMyInvitations(actor)]);
  const isAdmin = actor?.role === "admin";
  return (
    <div className="space-y-8">
      <div className="flex items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-stone-900">Stories</h1>
          <p className="mt-1 text-sm text-stone-600">
            {isAdmin
              ? "As an admin you see every author's stories."
              : "Write page by page; every change is kept in the history."}
          </p>
        </div>
        <ImportStory />
      </div>
      <StoryInvitations invitations={invitations} />
      <StoryList
        showOwner={isAdmin}
        currentUserName={session?.user?.name ?? ""}
        stories={stories.map((s) => ({
          id: s.id,
          title: s.title,
          description: s.description,
          ownerName: s.ownerName,
          pageCount: s.pageCount,
          updatedAt: s.updatedAt.toISOString(),
          role: s.role,
        }))}
      />
    </div>
  );
}
