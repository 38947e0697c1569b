"use client";

import type { ButtonHTMLAttributes, MouseEvent, ReactNode, Ref } from "react";
import { cn } from "@/lib/ui/cn";
import { Spinner } from "./spinner";

type ButtonVariant = "primary" | "secondary" | "ghost" | "danger" | "ghost-danger";
type ButtonSize = "sm" | "md" | "icon";

export const focusRing =
  "outline-none focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:ring-offset-2 focus-visible:ring-offset-white";

const variants: Record<ButtonVariant, string> = {
  primary:
    "bg-emerald-700 text-white shadow-sm hover:bg-emerald-800 active:bg-emerald-900 disabled:bg-emerald-700/50 aria-disabled:bg-emerald-700/50",
  secondary:
    "border border-stone-300 bg-white text-stone-800 shadow-sm hover:bg-stone-50 hover:border-stone-400 active:bg-stone-100",
  ghost: "text-stone-600 hover:bg-stone-100 hover:text-stone-900 active:bg-stone-200",
  danger: "bg-red-600 text-white shadow-sm hover:bg-red-700 active:bg-red-800 disabled:bg-red-600/50",
  "ghost-danger": "text-stone-600 hover:bg-red-50 hover:text-red-700 active:bg-red-100",
};

const sizes: Record<ButtonSize, string> = {
  sm: "h-8 gap-1.5 rounded-md px-2.5 text-sm",
  md: "h-10 gap-2 rounded-lg px-4 text-sm",
  icon: "size-8 justify-center rounded-md",
};

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Shows a spinner and refuses clicks. */
  pending?: boolean;
  /** Icon shown before the label (replaced by the spinner while pending). */
  icon?: ReactNode;
  /**
   * Disable with aria-disabled instead of the disabled attribute, so that a focused button keeps keyboard focus
   * (used by controls that are pressed repeatedly, such as Move up / Move down).
   */
  softDisabled?: boolean;
  ref?: Ref<HTMLButtonElement>;
}

export function Button({
  variant = "secondary",
  size = "md",
  pending = false,
  icon,
  softDisabled = false,
  disabled,
  className,
  children,
  type = "button",
  onClick,
  ref,
  ...props
}: ButtonProps) {
  const inactive = Boolean(disabled) || pending;
  const useAria = softDisabled && inactive;
  function handleClick(event: MouseEvent<HTMLButtonElement>) {
    if (inactive) {
      event.preventDefault();
      return;
    }
    onClick?.(event);
  }
  return (
    <button
      ref={ref}
      type={type}
      disabled={useAria ? undefined : inactive}
      aria-disabled={useAria ? true : undefined}
      aria-busy={pending || undefined}
      onClick={handleClick}
      className={cn(
        "inline-flex shrink-0 select-none items-center font-medium whitespace-nowrap transition-colors",
        "disabled:cursor-not-allowed disabled:opacity-60 aria-disabled:cursor-not-allowed aria-disabled:opacity-60",
        focusRing,
        variants[variant],
        sizes[size],
        className,
      )}
      {...props}
    >
      {pending ? <Spinner /> : icon}
      {children}
    </button>
  );
}
