import type { ImportFormat } from "@/db/import-schema";
import { AppError } from "@/lib/errors";
import { limits } from "../limits";

/** What was uploaded: its name (the format comes from its extension) and its bytes. */
export interface ImportFile {
  name: string;
  bytes: Buffer;
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06];
// OLE compound file: how Office stores a password-protected .docx (and an old binary .doc).
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const PDF = [0x25, 0x50, 0x44, 0x46];

const startsWith = (bytes: Buffer, magic: number[]) => magic.every((b, i) => bytes[i] === b);

export function formatOf(name: string): ImportFormat {
  const ext = /\.([^.]+)$/.exec(name.toLowerCase())?.[1];
  if (ext === "docx") return "docx";
  if (ext === "md" || ext === "markdown") return "md";
  if (ext === "txt" || ext === "text") return "txt";
  throw new AppError("IMPORT_UNSUPPORTED_FORMAT", undefined, { fileName: name });
}

export const formatMb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * The checks that need no parsing, done before anything is stored: the format by extension, the size limit, an
 * empty file, and magic bytes that contradict the extension (a .docx must be a zip; text must not be a binary file).
 */
export function checkImportFile(file: ImportFile): ImportFormat {
  const format = formatOf(file.name);
  if (file.bytes.length > limits.importFileMax) {
    throw new AppError(
      "IMPORT_TOO_LARGE",
      `This file is ${formatMb(file.bytes.length)}; the import limit is ${formatMb(limits.importFileMax)}.`,
      { limitBytes: limits.importFileMax },
    );
  }
  if (file.bytes.length === 0) throw new AppError("IMPORT_EMPTY");
  const bytes = file.bytes;
  if (format === "docx") {
    if (startsWith(bytes, OLE)) throw new AppError("IMPORT_ENCRYPTED");
    if (startsWith(bytes, EMPTY_ZIP)) throw new AppError("IMPORT_EMPTY");
    if (!startsWith(bytes, ZIP)) throw new AppError("IMPORT_WRONG_TYPE", undefined, { expected: "docx" });
    return format;
  }
  if (startsWith(bytes, ZIP) || startsWith(bytes, OLE) || startsWith(bytes, PDF)) {
    throw new AppError("IMPORT_WRONG_TYPE", undefined, { expected: format });
  }
  return format;
}

/** Text of a .md/.txt upload: UTF-8 (or UTF-16 with its byte-order mark); anything else is not a text file. */
export function decodeText(bytes: Buffer): string {
  let encoding = "utf-8";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = "utf-16le";
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = "utf-16be";
  let text: string;
  try {
    // ignoreBOM false: the decoder drops the byte-order mark itself.
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("IMPORT_WRONG_TYPE", "This file is not a text file (it is not valid UTF-8 text).");
  }
  if (text.includes("\u0000")) throw new AppError("IMPORT_WRONG_TYPE", "This file is not a text file.");
  return text;
}
