import { strFromU8, unzipSync } from "fflate";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { expect } from "vitest";

/**
 * A JavaScript check of an EPUB 3 package (DECISIONS.md, "Books and co-authors": EPUBCheck is not run in CI): the
 * OCF container (mimetype first, stored, no extra field; META-INF/container.xml naming the package document), the
 * package document (identifier, title, language, dcterms:modified; a manifest whose every item exists and every
 * content file is listed; a spine of manifest items; exactly one nav item), the navigation document (a toc nav
 * whose links all resolve to spine documents and their ids) and the NCX, and every XML file well formed.
 */
export interface EpubPackage {
  title: string;
  /** Spine documents, paths relative to the OPF. */
  spine: string[];
  navLabels: string[];
  navHrefs: string[];
  ncxLabels: string[];
  /** A file's text, by path relative to the OPF. */
  text(path: string): string;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", textNodeName: "#text" });
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const textOf = (v: unknown): string =>
  typeof v === "string" || typeof v === "number"
    ? String(v)
    : v && typeof v === "object" && "#text" in v
      ? String((v as { "#text": unknown })["#text"])
      : "";

export function checkEpub(bytes: Uint8Array): EpubPackage {
  // The OCF rules are about the archive's bytes: the first local file header is "mimetype", stored (method 0),
  // without an extra field, its content at offset 38.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(view.getUint32(0, true), "a local file header first").toBe(0x04034b50);
  expect(view.getUint16(6, true) & 0x8, "mimetype's sizes in its header (no data descriptor)").toBe(0);
  expect(view.getUint16(8, true), "mimetype stored, not compressed").toBe(0);
  expect(view.getUint32(22, true), "mimetype's size").toBe(20);
  expect(view.getUint16(26, true)).toBe(8);
  expect(view.getUint16(28, true), "no extra field on mimetype").toBe(0);
  expect(strFromU8(bytes.subarray(30, 38))).toBe("mimetype");
  expect(strFromU8(bytes.subarray(38, 58))).toBe("application/epub+zip");

  const files = unzipSync(bytes);
  const names = Object.keys(files);
  expect(names[0]).toBe("mimetype");
  expect(strFromU8(files.mimetype!)).toBe("application/epub+zip");
  const read = (name: string) => {
    expect(names, `${name} in the archive`).toContain(name);
    const text = strFromU8(files[name]!);
    if (/\.(xml|opf|ncx|xhtml)$/.test(name))
      expect(XMLValidator.validate(text), `${name} is well-formed XML`).toBe(true);
    return text;
  };

  const container = parser.parse(read("META-INF/container.xml"));
  const rootfile = list(container.container.rootfiles.rootfile)[0];
  expect(rootfile["@media-type"]).toBe("application/oebps-package+xml");
  const opfPath: string = rootfile["@full-path"];
  const base = opfPath.includes("/") ? opfPath.slice(0, opfPath.lastIndexOf("/") + 1) : "";
  const inPackage = (href: string) => `${base}${href.split("#")[0]}`;

  const opf = parser.parse(read(opfPath)).package;
  expect(opf["@version"]).toBe("3.0");
  const metadata = opf.metadata;
  const identifiers = list(metadata["dc:identifier"]);
  expect(identifiers.some((i) => i["@id"] === opf["@unique-identifier"] && textOf(i) !== "")).toBe(true);
  const title = textOf(list(metadata["dc:title"])[0]);
  expect(title).not.toBe("");
  expect(textOf(list(metadata["dc:language"])[0])).toMatch(/^[a-z]{2,3}/);
  const modified = list(metadata.meta).find((m) => m["@property"] === "dcterms:modified");
  expect(textOf(modified)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const items = list(opf.manifest.item) as Record<string, string>[];
  const byId = new Map(items.map((i) => [i["@id"], i]));
  expect(byId.size, "manifest ids are unique").toBe(items.length);
  for (const item of items) {
    expect(names, `manifest item ${item["@href"]} exists`).toContain(inPackage(item["@href"]!));
    expect(item["@media-type"]).toBeTruthy();
  }
  const listed = new Set(items.map((i) => inPackage(i["@href"]!)));
  for (const name of names) {
    if (name === "mimetype" || name.startsWith("META-INF/") || name === opfPath) continue;
    expect(listed.has(name), `${name} is in the manifest`).toBe(true);
  }
  const navItems = items.filter((i) => (i["@properties"] ?? "").split(/\s+/).includes("nav"));
  expect(navItems).toHaveLength(1);

  const spineRefs = list(opf.spine.itemref) as Record<string, string>[];
  expect(spineRefs.length).toBeGreaterThan(0);
  const spine = spineRefs.map((ref) => {
    const item = byId.get(ref["@idref"]!);
    expect(item, `spine idref ${ref["@idref"]} is a manifest item`).toBeDefined();
    expect(item!["@media-type"]).toBe("application/xhtml+xml");
    return item!["@href"]!;
  });
  expect(new Set(spine).size, "no document twice in the spine").toBe(spine.length);

  // The navigation document: a toc nav with an ordered list of links into spine documents.
  const navText = read(inPackage(navItems[0]!["@href"]!));
  const nav = parser.parse(navText).html.body.nav;
  const toc = list(nav).find((n) => n["@epub:type"] === "toc");
  expect(toc, "a nav epub:type=toc").toBeDefined();
  const links = list(toc.ol.li).map((li) => li.a);
  const navHrefs = links.map((a) => a["@href"] as string);
  const navLabels = links.map((a) => textOf(a));
  for (const href of navHrefs) {
    const [file, fragment] = href.split("#");
    expect(spine, `nav link ${href} is a spine document`).toContain(file);
    if (fragment) expect(read(inPackage(file!)), `nav link ${href} has its target`).toContain(`id="${fragment}"`);
  }

  // The NCX (EPUB 2 readers), named by the spine's toc attribute.
  const ncxItem = byId.get(opf.spine["@toc"]);
  expect(ncxItem?.["@media-type"]).toBe("application/x-dtbncx+xml");
  const ncx = parser.parse(read(inPackage(ncxItem!["@href"]!))).ncx;
  const ncxLabels = list(ncx.navMap.navPoint).map((p) => textOf(p.navLabel.text));

  for (const href of spine) read(inPackage(href));
  return {
    title,
    spine,
    navLabels,
    navHrefs,
    ncxLabels,
    text: (path) => read(inPackage(path)),
  };
}
