import type { InputHTMLAttributes, Ref, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { cn } from "@/lib/ui/cn";

const base =
  "w-full rounded-lg border bg-white px-3 text-stone-900 shadow-sm transition-colors placeholder:text-stone-400 " +
  "outline-none focus-visible:border-emerald-600 focus-visible:ring-2 focus-visible:ring-emerald-600/30 " +
  "disabled:cursor-not-allowed disabled:bg-stone-100 read-only:bg-stone-50";

function tone(invalid?: boolean) {
  return invalid
    ? "border-red-500 focus-visible:border-red-600 focus-visible:ring-red-500/30"
    : "border-stone-300 hover:border-stone-400";
}

export interface InputProps extends InputHTMLAttributes<HTMLInputElement> {
  invalid?: boolean;
  ref?: Ref<HTMLInputElement>;
}

export function Input({ invalid, className, ref, ...props }: InputProps) {
  return (
    <input
      ref={ref}
      aria-invalid={invalid || undefined}
      className={cn(base, "h-10 text-sm", tone(invalid), className)}
      {...props}
    />
  );
}

export interface TextareaProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  invalid?: boolean;
  ref?: Ref<HTMLTextAreaElement>;
}

export function Textarea({ invalid, className, ref, ...props }: TextareaProps) {
  return (
    <textarea
      ref={ref}
      aria-invalid={invalid || undefined}
      className={cn(base, "py-2 text-sm leading-relaxed", tone(invalid), className)}
      {...props}
    />
  );
}

export interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  invalid?: boolean;
  ref?: Ref<HTMLSelectElement>;
}

export function Select({ invalid, className, ref, ...props }: SelectProps) {
  return (
    <select
      ref={ref}
      aria-invalid={invalid || undefined}
      className={cn(base, "h-10 px-2.5 text-sm", tone(invalid), className)}
      {...props}
    />
  );
}
