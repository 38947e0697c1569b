"use client";

import { useMemo } from "react";
import { Select, type SelectProps } from "@/components/ui/input";
import { languageOptions } from "@/lib/stories/languages";

/**
 * The story languages, by name. A native select: keyboard users type the first letters of a name to jump to it, and
 * screen readers announce it as the list it is.
 */
export function LanguageSelect({ value, ...props }: Omit<SelectProps, "children" | "value"> & { value: string }) {
  const options = useMemo(() => languageOptions(value), [value]);
  return (
    <Select value={value} {...props}>
      {options.map((option) => (
        <option key={option.tag} value={option.tag}>
          {option.name}
        </option>
      ))}
    </Select>
  );
}
