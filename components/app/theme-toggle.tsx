"use client";

import { Monitor, Moon, Sun } from "lucide-react";
import { useSyncExternalStore } from "react";
import { focusRing } from "@/components/ui/button";
import { cn } from "@/lib/ui/cn";
import {
  readThemeChoice,
  saveThemeChoice,
  subscribeThemeChoice,
  THEME_CHOICES,
  type ThemeChoice,
} from "@/lib/ui/theme";

const labels: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };
const icons = { system: Monitor, light: Sun, dark: Moon } as const;
const next: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };

/** The saved theme choice, kept in step with other toggles and tabs. "system" while rendering on the server. */
export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(subscribeThemeChoice, readThemeChoice, () => "system");
}

/** The theme button (top bar, sign-in and sign-up): one press moves System → Light → Dark → System. */
export function ThemeToggle() {
  const choice = useThemeChoice();
  return (
    <button
      type="button"
      data-testid="theme-toggle"
      data-theme-choice={choice}
      aria-label={`Theme: ${labels[choice]}. Switch to ${labels[next[choice]]}`}
      title={`Theme: ${labels[choice]}`}
      onClick={() => saveThemeChoice(next[choice])}
      className={cn(
        "flex size-8 items-center justify-center rounded-md text-stone-600 hover:bg-stone-100 hover:text-stone-900",
        focusRing,
      )}
    >
      {/* All three are rendered; CSS (app/globals.css) shows the one <html data-theme> names, right from the first
          paint. */}
      {THEME_CHOICES.map((option) => {
        const Icon = icons[option];
        return (
          <Icon
            key={option}
            aria-hidden="true"
            data-theme-icon={option}
            data-testid={`theme-toggle-icon-${option}`}
            className="size-4"
          />
        );
      })}
    </button>
  );
}

/** Settings: the theme as three labelled choices. */
export function ThemeSettings() {
  const choice = useThemeChoice();
  return (
    <section aria-labelledby="appearance-heading" className="space-y-3">
      <div>
        <h2 id="appearance-heading" className="text-lg font-semibold text-stone-900">
          Appearance
        </h2>
        <p className="mt-1 text-sm text-stone-600">
          System follows your device’s light or dark setting. Saved in this browser.
        </p>
      </div>
      <fieldset className="inline-flex rounded-lg border border-stone-300 bg-white p-1 shadow-sm">
        <legend className="sr-only">Theme</legend>
        {(Object.keys(labels) as ThemeChoice[]).map((option) => {
          const Icon = icons[option];
          return (
            <label
              key={option}
              className={cn(
                "flex cursor-pointer items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-emerald-600",
                option === choice ? "bg-stone-900 text-white" : "text-stone-700 hover:bg-stone-100",
              )}
            >
              <input
                type="radio"
                name="theme"
                value={option}
                data-testid={`theme-${option}`}
                checked={option === choice}
                onChange={() => saveThemeChoice(option)}
                className="sr-only"
              />
              <Icon aria-hidden="true" className="size-4" />
              {labels[option]}
            </label>
          );
        })}
      </fieldset>
    </section>
  );
}
