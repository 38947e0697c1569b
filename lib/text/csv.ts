/**
 * CSV per RFC 4180 (text always quoted, quotes doubled, CRLF line ends), with a guard against formula injection:
 * a cell a spreadsheet would evaluate (starting with = + - @, or a tab / carriage return) gets a leading apostrophe.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  // Numbers are data, not formulas: a negative amount stays a number for the spreadsheet.
  if (typeof value !== "number" && FORMULA_START.test(text)) text = `'${text}`;
  // Every text cell is quoted: a spreadsheet set to split on ";" (many European locales) would otherwise cut
  // `x;=cmd()` in two and evaluate the second half, which the apostrophe above never saw.
  return typeof value === "number" ? text : `"${text.replace(/"/g, '""')}"`;
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
