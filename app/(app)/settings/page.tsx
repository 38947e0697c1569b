import type { Metadata } from "next";
import { ApiTokens } from "@/components/settings/api-tokens";
import { ThemeSettings } from "@/components/app/theme-toggle";
import { SignOutEverywhere } from "@/components/settings/sign-out-everywhere";
import { currentActor } from "@/lib/auth";
import { listApiTokens } from "@/lib/auth/api-tokens";
import { RatingMaxForm } from "@/components/ratings/rating-max-form";
import { getMyRatingLimits } from "@/lib/stories";
import { contentRatingLabels } from "@/lib/stories/ratings/labels";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await currentActor();
  const [tokens, ratings] = await Promise.all([listApiTokens(actor), getMyRatingLimits(actor)]);
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
      <section aria-labelledby="my-rating" className="space-y-2">
        <h2 id="my-rating" className="text-lg font-semibold text-stone-900">
          Content rating
        </h2>
        <p className="text-sm text-stone-600">
          The AI never writes beyond the lowest of a story&apos;s rating, this site&apos;s maximum (
          {contentRatingLabels[ratings.siteMax]}) and your own maximum, which you may set lower.
          {ratings.adminMax
            ? ` An admin has set your account's maximum to ${contentRatingLabels[ratings.adminMax]}.`
            : ""}
        </p>
        <RatingMaxForm
          label="Your highest content rating"
          initial={ratings.ownMax}
          blankLabel={`The site's maximum (${contentRatingLabels[ratings.siteMax]})`}
          testId="my-rating"
          target={{ kind: "me" }}
        />
      </section>
    </div>
  );
}
