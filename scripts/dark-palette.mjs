// Prints the dark theme's colours for app/globals.css (the block between the "dark palette" markers).
//
// The dark theme maps each colour the app uses to one whose relative luminance Y' satisfies
// (Y' + 0.05) = k / (Y + 0.05): the WCAG contrast ratio of any two colours is the ratio of their (Y + 0.05), so this
// inversion keeps every pair's contrast exactly as it is in the light theme (a pair that passes AA in light passes
// in dark) while light becomes dark. White becomes the darkest surface (`SURFACE_L`); hue and chroma are kept
// (chroma reduced where the colour would leave sRGB). Run: node scripts/dark-palette.mjs
import { readFileSync } from "node:fs";

const PALETTES = ["stone", "emerald", "red", "violet", "amber", "sky", "teal"];
const SURFACE_L = 0.17; // OKLCH lightness of what `white` becomes

const theme = readFileSync(new URL("../node_modules/tailwindcss/theme.css", import.meta.url), "utf8");

function oklchToLinearRgb(L, C, h) {
  const a = C * Math.cos((h * Math.PI) / 180);
  const b = C * Math.sin((h * Math.PI) / 180);
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  return [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
}
const inGamut = (rgb) => rgb.every((c) => c >= -1e-4 && c <= 1 + 1e-4);
const luminance = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

/** The in-gamut colour of lightness L nearest to chroma C at hue h. */
function maxChroma(L, C, h) {
  if (inGamut(oklchToLinearRgb(L, C, h))) return C;
  let lo = 0;
  let hi = C;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (inGamut(oklchToLinearRgb(L, mid, h))) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The colour of hue h and (at most) chroma C whose luminance is Y. */
function withLuminance(Y, C, h) {
  let lo = 0;
  let hi = 1;
  let chroma = 0;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    chroma = maxChroma(mid, C, h);
    if (luminance(oklchToLinearRgb(mid, chroma, h)) < Y) lo = mid;
    else hi = mid;
  }
  return { L: lo, C: maxChroma(lo, C, h) };
}

const surfaceY = SURFACE_L ** 3;
const k = 1.05 * (surfaceY + 0.05);
const invert = (Y) => Math.min(1, k / (Y + 0.05) - 0.05);
const fmt = ({ L, C }, h) => `oklch(${(L * 100).toFixed(2)}% ${C.toFixed(4)} ${h})`;

const lines = [`  --color-white: ${fmt({ L: SURFACE_L, C: 0 }, 0)};`];
for (const name of PALETTES) {
  for (const [, shade, L, C, h] of theme.matchAll(
    new RegExp(`--color-${name}-(\\d+): oklch\\(([\\d.]+)% ([\\d.]+) ([\\d.]+)\\)`, "g"),
  )) {
    const Y = luminance(oklchToLinearRgb(Number(L) / 100, Number(C), Number(h)));
    lines.push(`  --color-${name}-${shade}: ${fmt(withLuminance(invert(Y), Number(C), Number(h)), h)};`);
  }
}
console.log(lines.join("\n"));
