"use client";

import { createContext, type ReactNode, useContext, useEffect, useState } from "react";

/**
 * The number of pages the page list currently shows, for the story header above it: the header is rendered by the
 * server once, and pages are added and deleted in the list without a reload.
 */
const PageCountContext = createContext<{ count: number; setCount: (count: number) => void } | null>(null);

export function StoryPageCountProvider({ initial, children }: { initial: number; children: ReactNode }) {
  const [count, setCount] = useState(initial);
  const [seen, setSeen] = useState(initial);
  if (seen !== initial) {
    setSeen(initial);
    setCount(initial);
  }
  return <PageCountContext value={{ count, setCount }}>{children}</PageCountContext>;
}

/** The live page count, or `fallback` outside a provider. */
export function useStoryPageCount(fallback: number): number {
  return useContext(PageCountContext)?.count ?? fallback;
}

/** Publishes the list's page count to the header. */
export function usePublishPageCount(count: number): void {
  const setCount = useContext(PageCountContext)?.setCount;
  useEffect(() => setCount?.(count), [setCount, count]);
}
