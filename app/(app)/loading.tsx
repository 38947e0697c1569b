import { LoadingBlock } from "@/components/ui/spinner";

/** Shown inside the app shell while a page's server data loads, so a slow query never looks like a dead click. */
export default function Loading() {
  return <LoadingBlock label="Loading…" className="py-6" />;
}
