// The domain's public surface: every function here takes the actor and checks what they may do.
// (pages.ts also has writePageContent, an internal writer without an actor: deliberately not exported here.)
export * from "./actor";
export * from "./limits";
export * from "./stories";
export { listPages, getPage, addPage, savePage, movePage, deletePage, undeletePage } from "./pages";
export * from "./revisions";
