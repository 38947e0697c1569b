import { createHash } from "node:crypto";
import path from "node:path";
import { Resvg } from "@resvg/resvg-js";

/** What the offline illustrator draws from: the scene, the codex entries it shows, a title. */
export interface DrawingHints {
  title: string;
  scene: string;
  characters: { name: string; appearance: string }[];
  places: { name: string; appearance: string }[];
}

export const OFFLINE_LABEL = "offline illustration";
const WIDTH = 768;
const HEIGHT = 512;

// Bundled with the app (npm package dejavu-fonts-ttf): resvg reads TrueType, not the woff2 files the pages use.
const FONT_DIR = path.join(process.cwd(), "node_modules", "dejavu-fonts-ttf", "ttf");
const FONT_FILES = [path.join(FONT_DIR, "DejaVuSans.ttf"), path.join(FONT_DIR, "DejaVuSans-Bold.ttf")];

const moods: { words: RegExp; sky: [string, string]; ground: string }[] = [
  { words: /\b(night|dark|moon|midnight|storm|shadow|star)/i, sky: ["#1e1b4b", "#4338ca"], ground: "#1f2937" },
  { words: /\b(sea|ocean|river|rain|lake|wave|ship|boat|sail)/i, sky: ["#0c4a6e", "#7dd3fc"], ground: "#0369a1" },
  { words: /\b(forest|tree|garden|wood|meadow|grass|leaf)/i, sky: ["#14532d", "#bbf7d0"], ground: "#166534" },
  { words: /\b(fire|sun|desert|warm|flame|summer|gold)/i, sky: ["#9a3412", "#fde68a"], ground: "#b45309" },
  { words: /\b(snow|winter|ice|cold|frost)/i, sky: ["#334155", "#e2e8f0"], ground: "#f1f5f9" },
];
const defaultMood = { sky: ["#6d28d9", "#fbcfe8"] as [string, string], ground: "#57534e" };

const colourWords: Record<string, string> = {
  red: "#dc2626",
  crimson: "#be123c",
  orange: "#ea580c",
  yellow: "#eab308",
  gold: "#ca8a04",
  green: "#16a34a",
  blue: "#2563eb",
  purple: "#7e22ce",
  violet: "#7c3aed",
  pink: "#db2777",
  brown: "#78350f",
  black: "#111827",
  grey: "#6b7280",
  gray: "#6b7280",
  silver: "#9ca3af",
  white: "#f9fafb",
};

function hashNumber(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32BE(0);
}

/** A character's colour: the first colour its appearance names (so the drawing follows the codex), else its name's hash. */
function colourOf(name: string, appearance: string): string {
  const word = appearance.toLowerCase().match(new RegExp(`\\b(${Object.keys(colourWords).join("|")})\\b`));
  if (word) return colourWords[word[1]!]!;
  return `hsl(${hashNumber(name) % 360}, 60%, 45%)`;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** Lines of at most `width` characters, at most `lines` of them. */
function wrap(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (`${line} ${word}`.trim().length > width) {
      out.push(line);
      line = word;
      if (out.length === lines) break;
    } else line = `${line} ${word}`.trim();
  }
  if (out.length < lines && line) out.push(line);
  if (out.length === lines && text.length > out.join(" ").length) out[lines - 1] = clip(`${out[lines - 1]}…`, width);
  return out;
}

/** The drawing as SVG: sky and ground from the scene's mood, a hill per place, a figure per character, a title. */
export function offlineIllustrationSvg(hints: DrawingHints): string {
  const mood = moods.find((m) => m.words.test(hints.scene)) ?? defaultMood;
  const seed = hashNumber(hints.scene);
  const parts: string[] = [];
  parts.push(
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${mood.sky[0]}"/><stop offset="1" stop-color="${mood.sky[1]}"/></linearGradient></defs>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="url(#sky)"/>`,
    `<circle cx="${120 + (seed % 520)}" cy="${110 + ((seed >> 8) % 40)}" r="34" fill="#fef9c3" opacity="0.85"/>`,
  );
  const places = hints.places.slice(0, 4);
  places.forEach((place, i) => {
    const x = (i + 0.5) * (WIDTH / Math.max(places.length, 1));
    const peak = 210 + (hashNumber(place.name) % 80);
    parts.push(
      `<polygon points="${x - 230},${HEIGHT - 120} ${x},${peak} ${x + 230},${HEIGHT - 120}" fill="${colourOf(place.name, place.appearance)}" opacity="0.75"/>`,
      `<text x="${x}" y="${peak + 28}" font-size="15" text-anchor="middle" fill="#ffffff">${escapeXml(clip(place.name, 24))}</text>`,
    );
  });
  parts.push(`<rect y="${HEIGHT - 130}" width="${WIDTH}" height="130" fill="${mood.ground}"/>`);
  const people = hints.characters.slice(0, 5);
  people.forEach((person, i) => {
    const x = (i + 0.5) * (WIDTH / Math.max(people.length, 1));
    const colour = colourOf(person.name, person.appearance);
    parts.push(
      `<circle cx="${x}" cy="${HEIGHT - 200}" r="22" fill="#fde2c4" stroke="#1c1917" stroke-width="2"/>`,
      `<path d="M ${x - 32} ${HEIGHT - 100} Q ${x} ${HEIGHT - 200} ${x + 32} ${HEIGHT - 100} Z" fill="${colour}" stroke="#1c1917" stroke-width="2"/>`,
      `<text x="${x}" y="${HEIGHT - 78}" font-size="16" font-weight="bold" text-anchor="middle" fill="#ffffff">${escapeXml(clip(person.name, 20))}</text>`,
    );
  });
  parts.push(
    `<rect x="0" y="0" width="${WIDTH}" height="56" fill="#000000" opacity="0.45"/>`,
    `<text x="20" y="36" font-size="24" font-weight="bold" fill="#ffffff">${escapeXml(clip(hints.title, 50))}</text>`,
  );
  wrap(hints.scene, 80, 2).forEach((line, i) => {
    parts.push(`<text x="20" y="${HEIGHT - 42 + i * 20}" font-size="15" fill="#ffffff">${escapeXml(line)}</text>`);
  });
  parts.push(
    `<rect x="${WIDTH - 178}" y="${HEIGHT - 30}" width="170" height="22" rx="4" fill="#000000" opacity="0.6"/>`,
    `<text x="${WIDTH - 93}" y="${HEIGHT - 14}" font-size="13" text-anchor="middle" fill="#ffffff">${OFFLINE_LABEL}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans">${parts.join("")}</svg>`;
}

/** The offline drawing rasterised to PNG with the bundled font (nothing is fetched; system fonts are not read). */
export function drawOfflineIllustration(hints: DrawingHints): Uint8Array {
  const resvg = new Resvg(offlineIllustrationSvg(hints), {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  return new Uint8Array(resvg.render().asPng());
}
