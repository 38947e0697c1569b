"use client";

import { useId, useState } from "react";
import { setCodexNameTranslationAction } from "@/app/actions/translations";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { callAction, fieldErrors } from "@/lib/ui/call-action";
import type { StoryTranslations } from "@/lib/stories/translations";

type Glossary = NonNullable<StoryTranslations["glossary"]>;
type Entry = Glossary["entries"][number];

/**
 * On a translation: the source's codex names and their names in the translation's language, which the next
 * translation of a page uses (an empty name keeps the name as it is). Editable by whoever may edit the source.
 */
export function TranslationGlossary({
  glossary,
  language,
  languageName,
}: {
  glossary: Glossary;
  language: string;
  languageName: string;
}) {
  if (glossary.entries.length === 0) return null;
  return (
    <details data-testid="translation-glossary" className="text-sm">
      <summary className="cursor-pointer font-medium text-stone-800">
        Names in {languageName} ({glossary.entries.length})
      </summary>
      <p className="mt-1 text-xs text-stone-600">
        The source&apos;s codex names as the next translation writes them. Leave a name empty to keep it as it is.
        {glossary.canEdit ? "" : " Only those who may edit the source can change them."}
      </p>
      <ul className="mt-2 space-y-2">
        {glossary.entries.map((entry) => (
          <GlossaryRow key={entry.entryId} entry={entry} language={language} canEdit={glossary.canEdit} />
        ))}
      </ul>
    </details>
  );
}

function GlossaryRow({ entry, language, canEdit }: { entry: Entry; language: string; canEdit: boolean }) {
  const id = useId();
  const [saved, setSaved] = useState(entry.translated);
  const [name, setName] = useState(entry.translated);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const changed = name.trim() !== saved;

  async function save() {
    if (!canEdit || saving || !changed) return;
    setSaving(true);
    setError(null);
    setStatus(null);
    const result = await callAction(() =>
      setCodexNameTranslationAction({ entryId: entry.entryId, language, name: name.trim() }),
    );
    setSaving(false);
    if (!result.ok) {
      setError(fieldErrors(result.error.details).name ?? result.error.message);
      return;
    }
    setSaved(result.data.name);
    setName(result.data.name);
    setStatus(result.data.name === "" ? "Cleared: the name stays as it is." : "Saved.");
  }

  return (
    <li data-testid="glossary-entry" data-entry-id={entry.entryId} className="space-y-1">
      <label htmlFor={`${id}-name`} className="block text-xs font-medium text-stone-700">
        {entry.name}
        {entry.aliases ? <span className="font-normal text-stone-500"> (also {entry.aliases})</span> : null}
      </label>
      <div className="flex gap-2">
        <Input
          id={`${id}-name`}
          data-testid="glossary-name"
          className="min-w-0 flex-1"
          value={name}
          maxLength={100}
          placeholder={entry.name}
          disabled={!canEdit || saving}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              void save();
            }
          }}
        />
        {canEdit ? (
          <Button
            data-testid="glossary-save"
            size="sm"
            variant="secondary"
            pending={saving}
            disabled={saving || !changed}
            onClick={() => void save()}
          >
            Save
          </Button>
        ) : null}
      </div>
      {error ? (
        <p id={`${id}-error`} role="alert" data-testid="glossary-error" className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
      {status ? (
        <p role="status" data-testid="glossary-status" className="text-xs text-stone-600">
          {status}
        </p>
      ) : null}
    </li>
  );
}
