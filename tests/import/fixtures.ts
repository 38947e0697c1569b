import { Document, HeadingLevel, PageBreak, Packer, Paragraph, TextRun } from "docx";
import yazl from "yazl";

/** A small .docx built in the test: a Title, a paragraph under it (the description), chapters as Heading 1 and a page break inside chapter two. */
export async function sampleDocx(): Promise<Buffer> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: "The Lighthouse Keeper", heading: HeadingLevel.TITLE }),
          new Paragraph({ text: "A novel of the northern coast" }),
          new Paragraph({ text: "Chapter One", heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ text: "Mara climbed the stairs at dusk." }),
          new Paragraph({ text: "The lamp was cold." }),
          new Paragraph({ text: "Chapter Two", heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ children: [new TextRun("The storm came in the night."), new PageBreak()] }),
          new Paragraph({ text: "By morning the boat was gone." }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

/** A zip of the given entries (compressed), as a .docx would be. */
export function zipOf(entries: Record<string, Buffer>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, data] of Object.entries(entries)) zip.addBuffer(data, name);
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

/** A .docx-shaped zip whose one extra part inflates to `bytes` zeros: a few kilobytes on disk. */
export function zipBomb(bytes: number): Promise<Buffer> {
  return zipOf({ "word/document.xml": Buffer.from("<w:document/>"), "word/media/pad.bin": Buffer.alloc(bytes) });
}

export const sampleMarkdown = `# The Garden

A short book about a garden.

## Spring

The seeds went in on a cold morning.

## Summer

Everything grew at once.

---

The heat broke in August.
`;

export const sampleText = `Tides

Chapter 1

The harbour was quiet.

Chapter 2

The boats came back.\fA new page after a form feed.
`;
