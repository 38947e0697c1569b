import { BookX } from "lucide-react";
import Link from "next/link";

export default function StoryNotFound() {
  return (
    <div
      data-testid="not-found"
      className="mx-auto flex max-w-md flex-col items-center rounded-2xl border border-stone-200 bg-white px-6 py-14 text-center shadow-sm"
    >
      <span className="flex size-12 items-center justify-center rounded-full bg-stone-100 text-stone-600">
        <BookX aria-hidden="true" className="size-6" />
      </span>
      <h1 className="mt-4 text-xl font-semibold text-stone-900">Story not found</h1>
      <p className="mt-2 text-sm text-stone-600">This story does not exist, was deleted, or belongs to someone else.</p>
      <Link
        href="/stories"
        className="mt-6 inline-flex h-10 items-center rounded-lg bg-emerald-700 px-4 text-sm font-medium text-white shadow-sm hover:bg-emerald-800 focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:ring-offset-2 focus-visible:outline-none"
      >
        Back to your stories
      </Link>
    </div>
  );
}
