import type { Metadata } from "next";
import Link from "next/link";
import { AdminNav } from "@/components/admin/admin-nav";
import { PromptVersionEditor } from "@/components/admin/prompt-version-editor";
import { currentActor } from "@/lib/auth";
import { pageError } from "@/lib/http/render-error";
import { getPromptVersion, type PromptVersionDetail } from "@/lib/stories";
import { formatUtc } from "@/lib/ui/admin-format";

export const metadata: Metadata = { title: "Prompt version" };
export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ family: string; version: string }>;
}

export default async function AdminPromptVersionPage({ params }: Props) {
  const { family, version } = await params;
  let detail: PromptVersionDetail;
  try {
    detail = await getPromptVersion(await currentActor(), { family, version: Number(version) });
  } catch (error) {
    pageError(error, { notFound: ["NOT_FOUND", "VALIDATION", "UNAUTHENTICATED"] });
  }
  const v = detail.version;
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <p className="text-sm">
          <Link href="/admin/prompts" className="text-emerald-800 hover:underline">
            ← Prompt library
          </Link>
        </p>
        <h1 className="text-2xl font-semibold tracking-tight text-stone-900">
          <span className="font-mono">{v.family}</span> v{v.version}
        </h1>
        <AdminNav current="prompts" />
        <p className="text-sm text-stone-700" data-testid="prompt-version-facts">
          <span data-testid="prompt-version-status">{v.status}</span> ·{" "}
          {v.source === "builtin" ? "built-in (prompts/)" : `by ${v.authorEmail ?? "an admin"}`} · created{" "}
          {formatUtc(new Date(v.createdAt))}
          {v.basedOnVersion ? ` · edited from v${v.basedOnVersion}` : ""} · recorded by {v.jobCount}{" "}
          {v.jobCount === 1 ? "job" : "jobs"}
          {detail.published ? ` · published: v${detail.published.version}` : " · nothing published"}
        </p>
      </div>
      <PromptVersionEditor detail={detail} />
    </div>
  );
}
