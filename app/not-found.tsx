import { Compass } from "lucide-react";
import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div data-testid="not-found" className="flex max-w-md flex-col items-center text-center">
        <span className="flex size-12 items-center justify-center rounded-full bg-stone-100 text-stone-600">
          <Compass aria-hidden="true" className="size-6" />
        </span>
        <h1 className="mt-4 text-xl font-semibold text-stone-900">Page not found</h1>
        <p className="mt-2 text-sm text-stone-600">
          There is nothing at this address. It may have moved or been deleted.
        </p>
        <Link
          href="/stories"
          className="mt-6 inline-flex h-10 items-center rounded-lg bg-emerald-700 px-4 text-sm font-medium text-white shadow-sm hover:bg-emerald-800 focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:ring-offset-2 focus-visible:outline-none"
        >
          Go to your stories
        </Link>
      </div>
    </main>
  );
}
