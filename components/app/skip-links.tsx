"use client";

import { usePathname } from "next/navigation";
import type { MouseEvent } from "react";

const linkClass =
  "sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-stone-900 focus:shadow";

/** A story's own page, where the author comes to write (not its side-by-side view). */
const storyPath = /^\/stories\/[^/]+$/;

/** Takes keyboard focus to the first page's text (or its open editor), else to "Add the first page". */
function focusFirstPage(event: MouseEvent<HTMLAnchorElement>) {
  const list = document.querySelector('[data-testid="page-list"]');
  const target = list?.querySelector<HTMLElement>(
    '[data-testid="page-content"], [data-testid="page-editor"], [data-testid="page-add-end"]',
  );
  if (!target) return; // the browser follows the link to the pages section
  event.preventDefault();
  target.focus();
  target.scrollIntoView({ block: "nearest" });
}

/**
 * The first tab stops of every signed-in screen. On a story, "Skip to pages" comes first: a keyboard user reaches
 * the first page's text in one Tab and Enter instead of passing every header control.
 */
export function SkipLinks() {
  const pathname = usePathname();
  return (
    <>
      {storyPath.test(pathname) ? (
        // biome-ignore lint/a11y/useValidAnchor: a skip link is in-page navigation (it works as a link without script); the handler only lands focus on the first page's text rather than on the section
        <a href="#pages" data-testid="skip-to-pages" onClick={focusFirstPage} className={linkClass}>
          Skip to pages
        </a>
      ) : null}
      <a href="#main" data-testid="skip-to-content" className={linkClass}>
        Skip to content
      </a>
    </>
  );
}
