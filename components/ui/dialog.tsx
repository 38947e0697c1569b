"use client";

import { X } from "lucide-react";
import { useEffect, useId, useRef, type ReactNode } from "react";
import { cn } from "@/lib/ui/cn";
import { Button } from "./button";

/**
 * A modal dialog on the native <dialog> element: the browser traps focus, makes the rest of the page inert,
 * closes on Escape (we route that through onClose) and gives focus back to the opener when it closes.
 * Mount it only while open.
 */
export function Dialog({
  onClose,
  title,
  description,
  variant = "center",
  className,
  testId,
  closeTestId,
  children,
}: {
  onClose: () => void;
  closeTestId?: string;
  title: ReactNode;
  description?: ReactNode;
  variant?: "center" | "sheet";
  className?: string;
  testId?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // showModal() focuses the first focusable element; prefer the one the content marked as the safe start.
    dialog.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    return () => {
      if (dialog.open) dialog.close();
      // Give focus back to whatever opened the dialog, if it is still on the page.
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      data-testid={testId}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        onCloseRef.current();
      }}
      onMouseDown={(event) => {
        // A press on the backdrop (the dialog element itself, outside its content box) closes it.
        if (event.target === ref.current) onCloseRef.current();
      }}
      className={cn(
        "bg-white p-0 text-stone-900 shadow-2xl backdrop:bg-stone-900/40 backdrop:backdrop-blur-[1px] dark:backdrop:bg-black/60",
        variant === "center" && "m-auto w-[calc(100%-2rem)] max-w-md rounded-xl border border-stone-200",
        variant === "sheet" &&
          "my-0 mr-0 ml-auto h-dvh max-h-dvh w-full max-w-3xl border-l border-stone-200 sm:rounded-l-xl",
        className,
      )}
    >
      <div className={cn("flex flex-col", variant === "sheet" ? "h-full" : "")}>
        <div className="flex items-start justify-between gap-4 border-b border-stone-100 px-5 py-4">
          <div className="min-w-0">
            <h2 id={titleId} className="text-base font-semibold text-stone-900">
              {title}
            </h2>
            {description ? (
              <div id={descriptionId} className="mt-1 text-sm text-stone-600">
                {description}
              </div>
            ) : null}
          </div>
          <Button
            variant="ghost"
            size="icon"
            aria-label="Close"
            data-testid={closeTestId}
            onClick={() => onCloseRef.current()}
            icon={<X aria-hidden="true" className="size-4" />}
          />
        </div>
        {children}
      </div>
    </dialog>
  );
}

/** "Are you sure?" for destructive actions. Focus starts on Cancel, the safe choice. */
export function ConfirmDialog({
  title,
  description,
  confirmLabel,
  pendingLabel,
  pending = false,
  error,
  onConfirm,
  onCancel,
}: {
  title: ReactNode;
  description?: ReactNode;
  confirmLabel: string;
  pendingLabel?: string;
  pending?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog
      testId="confirm-dialog"
      title={title}
      description={description}
      onClose={() => {
        if (!pending) onCancel();
      }}
    >
      {error ? (
        <p role="alert" className="mx-5 mt-4 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <div className="flex justify-end gap-2 px-5 py-4">
        <Button data-testid="confirm-cancel" data-autofocus onClick={onCancel} disabled={pending}>
          Cancel
        </Button>
        <Button data-testid="confirm-accept" variant="danger" pending={pending} onClick={onConfirm}>
          {pending ? (pendingLabel ?? confirmLabel) : confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
