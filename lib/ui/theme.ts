/**
 * The colour theme: the author's choice (System, Light or Dark) is kept in this browser's localStorage; "System"
 * (nothing stored) follows `prefers-color-scheme`. The theme is the `dark` class on <html> (the `dark` variant in
 * app/globals.css), set before the first paint by the inline script of app/layout.tsx, so no page flashes the wrong
 * theme. Client-safe: no server imports.
 */
export const THEME_CHOICES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

export const THEME_STORAGE_KEY = "sprout-theme";
const CHANGE_EVENT = "sprout-theme-change";

/**
 * Puts the theme on <html> from the stored choice and the system setting. Self-contained (its source is the inline
 * script, see themeScript): no imports, the storage key written out.
 */
function applyStoredTheme(): void {
  let stored: string | null = null;
  try {
    stored = window.localStorage.getItem("sprout-theme");
  } catch {
    // Storage refused (privacy settings): follow the system.
  }
  const choice = stored === "light" || stored === "dark" ? stored : "system";
  const dark = choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
  document.documentElement.dataset.theme = choice;
}

/**
 * The inline script of app/layout.tsx: applies the theme before the first paint and again when the system setting
 * changes or another tab saves a choice.
 */
export const themeScript = `(() => {
  const apply = ${applyStoredTheme.toString()};
  apply();
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", apply);
  window.addEventListener("storage", (event) => { if (event.key === ${JSON.stringify(THEME_STORAGE_KEY)}) apply(); });
})();`;

export function readThemeChoice(): ThemeChoice {
  const value = document.documentElement.dataset.theme;
  return value === "light" || value === "dark" ? value : "system";
}

export function saveThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === "system") window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // Not saved: the choice holds until the page is left.
  }
  const root = document.documentElement;
  root.dataset.theme = choice;
  root.classList.toggle(
    "dark",
    choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches),
  );
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

/** For useSyncExternalStore: calls back when the choice changes in this tab or another. */
export function subscribeThemeChoice(onChange: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === THEME_STORAGE_KEY) onChange();
  };
  window.addEventListener(CHANGE_EVENT, onChange);
  window.addEventListener("storage", onStorage);
  return () => {
    window.removeEventListener(CHANGE_EVENT, onChange);
    window.removeEventListener("storage", onStorage);
  };
}
