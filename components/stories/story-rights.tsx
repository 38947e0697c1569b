"use client";

import { createContext, type ReactNode, useContext } from "react";

/**
 * What the viewer may do with the story on screen, as the server's `can` answered it when the page was rendered
 * (lib/stories/access.ts). The UI only hides what would be refused: the server still checks every write.
 */
export interface StoryRights {
  edit: boolean;
  generate: boolean;
  review: boolean;
  manage: boolean;
}

/** Outside a story page nothing may be changed: a component that forgets the provider shows read-only. */
const readOnly: StoryRights = { edit: false, generate: false, review: false, manage: false };

const StoryRightsContext = createContext<StoryRights>(readOnly);

export function StoryRightsProvider({ rights, children }: { rights: StoryRights; children: ReactNode }) {
  return <StoryRightsContext.Provider value={rights}>{children}</StoryRightsContext.Provider>;
}

export function useStoryRights(): StoryRights {
  return useContext(StoryRightsContext);
}
