import type { Metadata } from "next";
import { ApiTokens } from "@/components/settings/api-tokens";
import { ThemeSettings } from "@/components/app/theme-toggle";
import { SignOutEverywhere } from "@/components/settings/sign-out-everywhere";
import { currentActor } from "@/lib/auth";
import { listApiTokens } from "@/lib/auth/api-tokens";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const tokens = await listApiTokens(await currentActor());
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-stone-900">Settings</h1>
        <p className="mt-1 text-sm text-stone-600">
          Personal API tokens for the REST API (see <code className="text-xs">docs/API.md</code>).
        </p>
      </div>
      <ApiTokens initial={tokens} />
      <SignOutEverywhere />
      <ThemeSettings />
    </div>
  );
}
