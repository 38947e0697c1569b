"use client";

import { CircleAlert, RotateCcw } from "lucide-react";
import Link from "next/link";
import { useEffect } from "react";
import { Button } from "@/components/ui/button";

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest =
    error instanceof Error && "digest" in error ? String((error as { digest?: unknown }).digest ?? "") : "";
  return (
    <main className="flex min-h-[60vh] items-center justify-center px-4 py-16">
      <div role="alert" className="flex max-w-md flex-col items-center text-center">
        <span className="flex size-12 items-center justify-center rounded-full bg-red-50 text-red-600">
          <CircleAlert aria-hidden="true" className="size-6" />
        </span>
        <h1 className="mt-4 text-xl font-semibold text-stone-900">Something went wrong</h1>
        <p className="mt-2 text-sm text-stone-600">
          We couldn&apos;t load this page. Your saved work is safe. Try again, or go back to your stories.
        </p>
        {digest ? <p className="mt-2 font-mono text-xs text-stone-500">Reference: {digest}</p> : null}
        <div className="mt-6 flex gap-2">
          <Button variant="primary" onClick={() => retry()} icon={<RotateCcw aria-hidden="true" className="size-4" />}>
            Try again
          </Button>
          <Link
            href="/stories"
            className="inline-flex h-10 items-center rounded-lg border border-stone-300 bg-white px-4 text-sm font-medium text-stone-800 shadow-sm hover:bg-stone-50 focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:ring-offset-2 focus-visible:outline-none"
          >
            All stories
          </Link>
        </div>
      </div>
    </main>
  );
}
