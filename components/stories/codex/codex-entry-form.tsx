"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import type { PublicError } from "@/lib/errors";
import type { CodexEntryView } from "@/lib/stories";
import { limits } from "@/lib/stories/limits";
import { fieldErrors } from "@/lib/ui/call-action";
import { activationLabels, kindLabels, kinds, parseAliases } from "./codex-text";

export interface CodexEntryValues {
  kind: CodexEntryView["kind"];
  name: string;
  aliases: string[];
  description: string;
  /** Optional only where the form edits a suggestion (a suggestion has no appearance of its own). */
  appearance?: string;
  activation: CodexEntryView["activation"];
}

export const emptyEntry: CodexEntryValues = {
  kind: "character",
  name: "",
  aliases: [],
  description: "",
  appearance: "",
  activation: "mentioned",
};

/**
 * The fields of a codex entry (new, edited, or a suggestion being edited before it is accepted). On an error the
 * typed values stay; each field's message is shown under it ("aliases.2" under Aliases), anything else above the buttons.
 */
export function CodexEntryForm({
  initial,
  submitLabel,
  title,
  onSubmit,
  onCancel,
}: {
  initial: CodexEntryValues;
  submitLabel: string;
  title: string;
  /** Null when it was saved; otherwise the error to show. */
  onSubmit: (values: CodexEntryValues) => Promise<PublicError | null>;
  onCancel: () => void;
}) {
  const [kind, setKind] = useState(initial.kind);
  const [name, setName] = useState(initial.name);
  const [aliases, setAliases] = useState(initial.aliases.join(", "));
  const [description, setDescription] = useState(initial.description);
  const [appearance, setAppearance] = useState(initial.appearance ?? "");
  const [activation, setActivation] = useState(initial.activation);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const errorOf = (field: string) =>
    errors[field] ?? Object.entries(errors).find(([key]) => key.startsWith(`${field}.`))?.[1] ?? null;

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (saving) return;
    setSaving(true);
    const values: CodexEntryValues = { kind, name, aliases: parseAliases(aliases), description, activation };
    if (initial.appearance !== undefined) values.appearance = appearance;
    const error = await onSubmit(values);
    setSaving(false);
    if (!error) return;
    const fields = fieldErrors(error.details);
    setErrors(fields);
    const known = ["kind", "name", "aliases", "description", "appearance", "activation"];
    setFormError(Object.keys(fields).some((key) => known.includes(key.split(".")[0]!)) ? null : error.message);
  }

  return (
    <form
      onSubmit={submit}
      aria-label={title}
      data-testid="codex-form"
      className="space-y-3 rounded-xl border border-emerald-200 bg-white p-3"
      noValidate
    >
      <div className="grid grid-cols-2 gap-2">
        <Field label="Kind" error={errorOf("kind")} errorTestId="codex-error-kind">
          {(control) => (
            <Select
              {...control}
              data-testid="codex-kind"
              value={kind}
              onChange={(e) => setKind(e.target.value as CodexEntryValues["kind"])}
            >
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {kindLabels[k]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Used in prompts" error={errorOf("activation")} errorTestId="codex-error-activation">
          {(control) => (
            <Select
              {...control}
              data-testid="codex-activation"
              value={activation}
              onChange={(e) => setActivation(e.target.value as CodexEntryValues["activation"])}
            >
              {(Object.keys(activationLabels) as CodexEntryValues["activation"][]).map((a) => (
                <option key={a} value={a}>
                  {activationLabels[a]}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      <Field label="Name" error={errorOf("name")} errorTestId="codex-error-name">
        {(control) => (
          <Input
            {...control}
            data-testid="codex-name"
            data-autofocus
            value={name}
            maxLength={limits.codexNameMax * 2}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Aliases"
        optional
        hint="Other names, separated by commas."
        error={errorOf("aliases")}
        errorTestId="codex-error-aliases"
      >
        {(control) => (
          <Input
            {...control}
            data-testid="codex-aliases"
            value={aliases}
            onChange={(e) => setAliases(e.target.value)}
          />
        )}
      </Field>
      <Field label="Description" optional error={errorOf("description")} errorTestId="codex-error-description">
        {(control) => (
          <Textarea
            {...control}
            data-testid="codex-description"
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        )}
      </Field>
      {initial.appearance !== undefined ? (
        <Field
          label="Appearance"
          optional
          hint="How they look, for illustrations: the same words go into every picture that shows them."
          error={errorOf("appearance")}
          errorTestId="codex-error-appearance"
        >
          {(control) => (
            <Textarea
              {...control}
              data-testid="codex-appearance"
              rows={2}
              value={appearance}
              onChange={(e) => setAppearance(e.target.value)}
            />
          )}
        </Field>
      ) : null}
      {formError ? (
        <Alert data-testid="codex-form-error" tone="error">
          {formError}
        </Alert>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button type="button" variant="ghost" size="sm" data-testid="codex-cancel" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" size="sm" data-testid="codex-save" pending={saving}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
