/** A download's name from the story's title: an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987). */

const MAX_NAME = 80;

/** The title as a file name: no path separators, control or reserved characters, no leading dots, not empty. */
export function fileBaseName(title: string): string {
  const name = title
    .normalize("NFC")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters do not belong in a file name
    .replace(/[\u0000-\u001F\u007F<>:"/\\|?*]+/g, " ")
    .replace(/\s+/g, " ")
    .replace(/^[.\s]+|[.\s]+$/g, "");
  return [...name].slice(0, MAX_NAME).join("").trim() || "story";
}

/** The ASCII fallback of `filename=`: letters without their accents, anything else outside ASCII as `_`. */
export function asciiFileName(name: string): string {
  return (
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\x20-\x7E]/g, "_")
      .replace(/["\\%;]/g, "_")
      .replace(/_+/g, "_")
      .trim() || "story"
  );
}

/** RFC 5987 `value-chars`: percent-encoded UTF-8, leaving only attr-chars as they are. */
const rfc5987 = (value: string) =>
  encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `attachment; filename="…"; filename*=UTF-8''…` for the story's title and the format's extension. */
export function contentDisposition(title: string, extension: string): string {
  const name = `${fileBaseName(title)}.${extension}`;
  return `attachment; filename="${asciiFileName(name)}"; filename*=UTF-8''${rfc5987(name)}`;
}
