import { z } from "zod";
import { LANGUAGE_TAGS, languageName } from "../languages";

const supported = new Map<string, string>(LANGUAGE_TAGS.map((tag) => [tag.toLowerCase(), tag]));

/**
 * A language a story can be translated into: one of the story languages' list (lib/stories/languages.ts), in any
 * case ("pt-br" is "pt-BR"). A well-formed tag outside the list is refused as unsupported, a malformed one as unknown.
 */
export const translationLanguageField = z.string().transform((raw, ctx) => {
  const tag = raw.trim();
  const known = supported.get(tag.toLowerCase());
  if (known) return known;
  let wellFormed = false;
  try {
    wellFormed = Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    wellFormed = false;
  }
  ctx.addIssue({
    code: "custom",
    message: wellFormed
      ? `Translating into ${languageName(tag)} (${tag}) is not supported: choose a language from the list.`
      : `"${tag}" is not a language code: choose a language from the list (a BCP-47 tag such as fr or pt-BR).`,
  });
  return z.NEVER;
});
