import type { ReactNode } from "react";
import { aiJobStatuses, aiJobTypes } from "@/db/ai-schema";
import { contentRatings } from "@/db/content-ratings";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";

/** One labelled filter; the label names the control by its id, so every filter is reachable by its name. */
function Filter({
  id,
  label,
  children,
  className,
}: {
  id: string;
  label: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={className}>
      <Label htmlFor={id} className="text-xs text-stone-700">
        {label}
      </Label>
      {children}
    </div>
  );
}

interface FilterControl {
  id: string;
  name: string;
  defaultValue: string;
  testId: string;
}

/** A choice among known values, or "Any" (an empty value, so the filter is left out of the URL's meaning). */
function AnyOf({ choices, id, name, defaultValue, testId }: FilterControl & { choices: readonly string[] }) {
  return (
    <Select id={id} name={name} defaultValue={defaultValue} data-testid={testId}>
      <option value="">Any</option>
      {choices.map((choice) => (
        <option key={choice} value={choice}>
          {choice}
        </option>
      ))}
    </Select>
  );
}

/** Free text with the values seen so far offered as suggestions (new models and codes still match by typing). */
function WithSuggestions({
  suggestions,
  listId,
  id,
  name,
  defaultValue,
  testId,
}: FilterControl & { suggestions: string[]; listId: string }) {
  return (
    <>
      <Input id={id} name={name} list={listId} defaultValue={defaultValue} data-testid={testId} />
      <datalist id={listId}>
        {suggestions.map((suggestion) => (
          <option key={suggestion} value={suggestion} />
        ))}
      </datalist>
    </>
  );
}

/**
 * The history filters as a plain GET form: the URL holds every filter, so a filtered view can be shared or
 * bookmarked, and it works before any JavaScript has loaded.
 */
export function JobFilters({
  values,
  models,
  errorCodes,
}: {
  values: Record<string, string>;
  models: string[];
  errorCodes: string[];
}) {
  const v = (key: string) => values[key] ?? "";
  return (
    // biome-ignore lint/a11y/useSemanticElements: the <search> element would need a wrapper around the form and is unknown to older browsers; role="search" on the form is the equivalent landmark
    <form
      method="get"
      action="/admin/jobs"
      role="search"
      aria-label="Filter jobs"
      className="space-y-3 rounded-xl border border-stone-200 bg-white p-4"
    >
      <Filter id="f-jobId" label="Job id" className="min-w-[18rem]">
        <Input
          id="f-jobId"
          name="jobId"
          type="search"
          defaultValue={v("jobId")}
          placeholder="Exact job id (UUID)"
          data-testid="filter-job-id"
        />
      </Filter>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Filter id="f-status" label="Status">
          <AnyOf
            id="f-status"
            name="status"
            defaultValue={v("status")}
            testId="filter-status"
            choices={aiJobStatuses}
          />
        </Filter>
        <Filter id="f-type" label="Job type">
          <AnyOf id="f-type" name="jobType" defaultValue={v("jobType")} testId="filter-type" choices={aiJobTypes} />
        </Filter>
        <Filter id="f-model" label="Model">
          <WithSuggestions
            id="f-model"
            name="model"
            defaultValue={v("model")}
            testId="filter-model"
            suggestions={models}
            listId="f-models"
          />
        </Filter>
        <Filter id="f-error" label="Error code">
          <WithSuggestions
            id="f-error"
            name="errorCode"
            defaultValue={v("errorCode")}
            testId="filter-error"
            suggestions={errorCodes}
            listId="f-errors"
          />
        </Filter>
        <Filter id="f-user" label="User (email or id)">
          <Input id="f-user" name="requestedBy" defaultValue={v("requestedBy")} data-testid="filter-user" />
        </Filter>
        <Filter id="f-story" label="Story id">
          <Input id="f-story" name="scopeId" defaultValue={v("scopeId")} data-testid="filter-story" />
        </Filter>
        <Filter id="f-rating" label="Content rating">
          <AnyOf
            id="f-rating"
            name="contentRating"
            defaultValue={v("contentRating")}
            testId="filter-rating"
            choices={contentRatings}
          />
        </Filter>
        <Filter id="f-clamped" label="Rating clamped">
          <AnyOf id="f-clamped" name="clamped" defaultValue={v("clamped")} testId="filter-clamped" choices={["yes"]} />
        </Filter>
        <Filter id="f-from" label="From (UTC, included)">
          <Input id="f-from" name="from" type="date" defaultValue={v("from")} data-testid="filter-from" />
        </Filter>
        <Filter id="f-to" label="Until (UTC, not included)">
          <Input id="f-to" name="to" type="date" defaultValue={v("to")} data-testid="filter-to" />
        </Filter>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" size="sm" data-testid="filter-apply">
          Apply filters
        </Button>
        <a
          href="/admin/jobs"
          className="rounded-md px-2 py-1 text-sm text-stone-600 underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-emerald-600"
        >
          Clear
        </a>
      </div>
    </form>
  );
}
