// Client-safe: the shapes the stories page shows (no server imports).
export type { ImportSplitMode } from "./schema";
export type { ImportJobView, ImportPreview } from "./job";
