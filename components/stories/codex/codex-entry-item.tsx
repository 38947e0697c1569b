"use client";

import { Pencil, Trash2 } from "lucide-react";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { PublicError } from "@/lib/errors";
import type { CodexEntryView } from "@/lib/stories";
import { CodexEntryForm, type CodexEntryValues } from "./codex-entry-form";
import { activationLabels } from "./codex-text";
import { useStoryRights } from "../story-rights";

/** One entry of the codex: read, edit in place, or delete after a confirmation. */
export function CodexEntryItem({
  entry,
  onSave,
  onDelete,
}: {
  entry: CodexEntryView;
  onSave: (entry: CodexEntryView, values: CodexEntryValues) => Promise<PublicError | null>;
  onDelete: (entry: CodexEntryView) => Promise<PublicError | null>;
}) {
  const { edit: canEdit } = useStoryRights();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (editing) {
    return (
      <li data-testid="codex-entry" data-entry-id={entry.id} data-entry-name={entry.name}>
        <CodexEntryForm
          title={`Edit ${entry.name}`}
          submitLabel="Save"
          initial={entry}
          onCancel={() => setEditing(false)}
          onSubmit={async (values) => {
            const failure = await onSave(entry, values);
            if (!failure) setEditing(false);
            return failure;
          }}
        />
      </li>
    );
  }

  return (
    <li
      data-testid="codex-entry"
      data-entry-id={entry.id}
      data-entry-name={entry.name}
      className="rounded-lg border border-stone-200 bg-white px-3 py-2"
    >
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium text-stone-900" data-testid="codex-entry-name">
            {entry.name}
          </p>
          {entry.aliases.length > 0 ? (
            <p className="text-xs text-stone-500" data-testid="codex-entry-aliases">
              also {entry.aliases.join(", ")}
            </p>
          ) : null}
        </div>
        {canEdit ? (
          <div className="flex shrink-0 gap-1">
            <Button
              variant="ghost"
              size="icon"
              aria-label={`Edit ${entry.name}`}
              data-testid="codex-edit"
              onClick={() => setEditing(true)}
            >
              <Pencil aria-hidden="true" className="size-4" />
            </Button>
            <Button
              variant="ghost-danger"
              size="icon"
              aria-label={`Delete ${entry.name}`}
              data-testid="codex-delete"
              onClick={() => setConfirming(true)}
            >
              <Trash2 aria-hidden="true" className="size-4" />
            </Button>
          </div>
        ) : null}
      </div>
      {entry.description ? (
        <p className="mt-1 line-clamp-3 text-sm text-stone-700" data-testid="codex-entry-description">
          {entry.description}
        </p>
      ) : null}
      {entry.appearance ? (
        <p className="mt-1 line-clamp-2 text-sm text-stone-700" data-testid="codex-entry-appearance">
          <span className="font-medium">Looks: </span>
          {entry.appearance}
        </p>
      ) : null}
      <p className="mt-1 text-xs text-stone-500">
        In prompts: {activationLabels[entry.activation].toLowerCase()} · {entry.tokenCount} tokens
      </p>
      {canEdit && confirming ? (
        <fieldset className="mt-2 flex flex-wrap items-center gap-2 rounded-md bg-red-50 px-2 py-1.5 text-sm">
          <span className="text-red-900">Delete “{entry.name}”?</span>
          <Button
            variant="danger"
            size="sm"
            data-testid="codex-delete-confirm"
            data-autofocus
            pending={deleting}
            onClick={async () => {
              setDeleting(true);
              const failure = await onDelete(entry);
              setDeleting(false);
              if (failure) setError(failure.message);
            }}
          >
            Delete
          </Button>
          <Button variant="ghost" size="sm" onClick={() => setConfirming(false)}>
            Keep
          </Button>
        </fieldset>
      ) : null}
      {error ? (
        <Alert className="mt-2" tone="error">
          {error}
        </Alert>
      ) : null}
    </li>
  );
}
