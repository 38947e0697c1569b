"use client";

import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { Input, Textarea } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { cn } from "@/lib/ui/cn";

export type InlineEditEnd = "saved" | "cancelled" | "blur";

/**
 * An input that edits one value in place: Enter (or leaving the field) saves, Escape cancels.
 * On an error the field stays open with the text as typed and the message below it.
 */
export function InlineEdit({
  value,
  label,
  testId,
  multiline = false,
  placeholder,
  validate,
  onSave,
  onEnd,
  className,
  inputClassName,
}: {
  value: string;
  /** Accessible name of the field, e.g. "Story title". */
  label: string;
  testId: string;
  multiline?: boolean;
  placeholder?: string;
  validate?: (next: string) => string | null;
  /** Saves the value; resolves to an error message, or null when it was saved. */
  onSave: (next: string) => Promise<string | null>;
  /** Called when editing ends; the caller decides where focus goes. */
  onEnd: (how: InlineEditEnd) => void;
  className?: string;
  inputClassName?: string;
}) {
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const busy = useRef(false);
  const inputRef = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const errorId = `${testId}-error`;

  useEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    el.focus();
    el.select();
  }, []);

  async function commit(how: "saved" | "blur") {
    if (busy.current) return;
    if (draft === value) {
      onEnd(how === "blur" ? "blur" : "cancelled");
      return;
    }
    const problem = validate?.(draft) ?? null;
    if (problem) {
      setError(problem);
      return;
    }
    busy.current = true;
    setPending(true);
    setError(null);
    const failure = await onSave(draft);
    busy.current = false;
    setPending(false);
    if (failure) {
      setError(failure);
      inputRef.current?.focus();
      return;
    }
    onEnd(how);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      if (busy.current) return;
      busy.current = true; // ignore the blur that follows
      onEnd("cancelled");
    } else if (event.key === "Enter" && !(multiline && event.shiftKey) && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void commit("saved");
    }
  }

  const shared = {
    "aria-label": label,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? errorId : undefined,
    "data-testid": testId,
    value: draft,
    placeholder,
    readOnly: pending,
    invalid: Boolean(error),
    onKeyDown,
    onBlur: () => void commit("blur"),
  } as const;

  return (
    <div className={cn("w-full", className)}>
      <div className="relative">
        {multiline ? (
          <Textarea
            {...shared}
            ref={inputRef}
            rows={3}
            onChange={(e) => setDraft(e.target.value)}
            className={cn("field-sizing-content min-h-20", inputClassName)}
          />
        ) : (
          <Input {...shared} ref={inputRef} onChange={(e) => setDraft(e.target.value)} className={inputClassName} />
        )}
        {pending ? (
          <span className="pointer-events-none absolute top-1/2 right-3 -translate-y-1/2 text-stone-500" role="status">
            <Spinner />
            <span className="sr-only">Saving…</span>
          </span>
        ) : null}
      </div>
      {error ? (
        <p id={errorId} role="alert" data-testid={`${testId}-error`} className="mt-1.5 text-sm text-red-700">
          {error}
        </p>
      ) : (
        <p className="mt-1.5 text-xs text-stone-500">
          {multiline ? "Enter to save · Shift+Enter for a new line · Esc to cancel" : "Enter to save · Esc to cancel"}
        </p>
      )}
    </div>
  );
}
