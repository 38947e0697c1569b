/**
 * The one list of languages a story can be written in (and, later, translated into): BCP-47 tags, named with
 * `Intl.DisplayNames` so that names follow the reader's locale and need no table of our own. Pure: imported by the
 * validation on the server and by the pickers in the browser.
 */
export const LANGUAGE_TAGS = [
  "af",
  "ar",
  "bg",
  "bn",
  "ca",
  "cs",
  "cy",
  "da",
  "de",
  "el",
  "en",
  "en-GB",
  "en-US",
  "eo",
  "es",
  "es-419",
  "et",
  "eu",
  "fa",
  "fi",
  "fil",
  "fr",
  "fr-CA",
  "ga",
  "gl",
  "gu",
  "he",
  "hi",
  "hr",
  "hu",
  "hy",
  "id",
  "is",
  "it",
  "ja",
  "ka",
  "kk",
  "km",
  "kn",
  "ko",
  "la",
  "lt",
  "lv",
  "mk",
  "ml",
  "mn",
  "mr",
  "ms",
  "my",
  "nb",
  "ne",
  "nl",
  "nn",
  "pa",
  "pl",
  "pt",
  "pt-BR",
  "pt-PT",
  "ro",
  "ru",
  "sk",
  "sl",
  "sq",
  "sr",
  "sv",
  "sw",
  "ta",
  "te",
  "th",
  "tr",
  "uk",
  "ur",
  "uz",
  "vi",
  "yo",
  "zh-Hans",
  "zh-Hant",
  "zu",
] as const;

export const DEFAULT_LANGUAGE = "en";

const names = new Map<string, Intl.DisplayNames>();

/** "pt-BR" → "Brazilian Portuguese" (in `displayLocale`); the tag itself when the runtime does not know it. */
export function languageName(tag: string, displayLocale = "en"): string {
  let display = names.get(displayLocale);
  if (!display) {
    display = new Intl.DisplayNames([displayLocale], { type: "language", fallback: "code" });
    names.set(displayLocale, display);
  }
  try {
    return display.of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export interface LanguageOption {
  tag: string;
  name: string;
}

/**
 * The list as options sorted by name. A story may carry a tag that is not in the list (set through the API before
 * the list existed, or a rarer language): it is offered too, so that showing a story never changes its language.
 */
export function languageOptions(current?: string, displayLocale = "en"): LanguageOption[] {
  const tags: string[] = [...LANGUAGE_TAGS];
  if (current && !tags.includes(current)) tags.push(current);
  const collator = new Intl.Collator(displayLocale);
  return tags
    .map((tag) => ({ tag, name: languageName(tag, displayLocale) }))
    .sort((a, b) => collator.compare(a.name, b.name));
}
