import type { Metadata } from "next";
import Link from "next/link";
import { AdminNav } from "@/components/admin/admin-nav";
import { currentActor } from "@/lib/auth";
import { pageError } from "@/lib/http/render-error";
import { listPromptFamilies, type PromptFamilyView } from "@/lib/stories";
import { formatUtc } from "@/lib/ui/admin-format";

export const metadata: Metadata = { title: "Prompts" };
export const dynamic = "force-dynamic";

const statusStyle: Record<string, string> = {
  published: "bg-emerald-100 text-emerald-900",
  draft: "bg-amber-100 text-amber-900",
  archived: "bg-stone-100 text-stone-700",
};

export default async function AdminPromptsPage() {
  let families: PromptFamilyView[];
  try {
    families = await listPromptFamilies(await currentActor());
  } catch (error) {
    // Non-admins get the ordinary "not found": admin pages do not announce themselves.
    pageError(error, { notFound: ["NOT_FOUND", "UNAUTHENTICATED"] });
  }
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <h1 className="text-2xl font-semibold tracking-tight text-stone-900">Prompt library</h1>
        <AdminNav current="prompts" />
        <p className="text-sm text-stone-600">
          Each template family with its versions. New jobs use the published version; publishing an older one rolls
          back. Built-in versions come from the files in prompts/; a version a job recorded never changes.
        </p>
      </div>
      {families.length === 0 ? (
        <p className="text-sm text-stone-600">No templates have been imported yet (they are imported at start).</p>
      ) : null}
      {families.map((f) => (
        <section
          key={f.family}
          aria-labelledby={`family-${f.family}`}
          data-testid={`prompt-family-${f.family}`}
          className="space-y-2 rounded-xl border border-stone-200 bg-white p-4"
        >
          <h2 id={`family-${f.family}`} className="font-mono text-base font-semibold text-stone-900">
            {f.family}
          </h2>
          <p className="text-sm text-stone-600">{f.description}</p>
          <ul className="divide-y divide-stone-100 text-sm">
            {[...f.versions].reverse().map((v) => (
              <li key={v.version} className="flex flex-wrap items-center gap-3 py-2">
                <Link
                  href={`/admin/prompts/${f.family}/${v.version}`}
                  data-testid={`prompt-version-link-${f.family}-${v.version}`}
                  className="font-medium text-emerald-800 hover:underline"
                >
                  v{v.version}
                </Link>
                <span
                  data-testid={`prompt-version-status-${f.family}-${v.version}`}
                  className={`rounded-full px-2 py-0.5 text-xs font-medium ${statusStyle[v.status]}`}
                >
                  {v.status}
                </span>
                <span className="text-stone-600">
                  {v.source === "builtin" ? "built-in" : (v.authorEmail ?? "admin")}
                </span>
                <span className="text-stone-500">{formatUtc(new Date(v.createdAt))}</span>
                <span className="text-stone-500">
                  {v.jobCount} {v.jobCount === 1 ? "job" : "jobs"}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
