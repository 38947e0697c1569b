import type { LabelHTMLAttributes, ReactNode } from "react";
import { useId } from "react";
import { cn } from "@/lib/ui/cn";

/** A label is always for a control: `htmlFor` names it. */
export function Label({
  className,
  htmlFor,
  children,
  ...props
}: LabelHTMLAttributes<HTMLLabelElement> & { htmlFor: string }) {
  return (
    <label htmlFor={htmlFor} className={cn("block text-sm font-medium text-stone-800", className)} {...props}>
      {children}
    </label>
  );
}

export interface FieldControlProps {
  id: string;
  "aria-describedby"?: string;
  invalid: boolean;
}

/**
 * A labelled form control with an optional hint and error. The control is rendered by `children` with the ids it
 * needs, so that the label, hint and error are always wired to it for assistive technology.
 */
export function Field({
  label,
  hint,
  error,
  errorTestId,
  optional,
  className,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  errorTestId?: string;
  optional?: boolean;
  className?: string;
  children: (control: FieldControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("space-y-1.5", className)}>
      <Label htmlFor={id}>
        {label}
        {optional ? <span className="ml-1 font-normal text-stone-500">(optional)</span> : null}
      </Label>
      {children({ id, "aria-describedby": describedBy, invalid: Boolean(error) })}
      {hint ? (
        <p id={hintId} className="text-xs text-stone-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} data-testid={errorTestId} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
