export * from "./actor";
export * from "./limits";
export * from "./stories";
export * from "./pages";
export * from "./revisions";
