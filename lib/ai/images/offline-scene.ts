/**
 * The offline model's scene description: the page's own first sentences (up to about 300 characters), so the
 * drawing and the prompt depict what the page says, with no network. Deterministic: same page, same scene.
 */
export function describeSceneOffline(pageText: string): string {
  const flat = pageText
    .replace(/^#+\s.*$/gm, " ")
    .replace(/\s+/g, " ")
    .trim();
  const sentences = flat.match(/[^.!?…]+[.!?…]*/g) ?? [flat];
  let scene = "";
  for (const sentence of sentences) {
    const next = `${scene} ${sentence.trim()}`.trim();
    if (next.length > 300 && scene) break;
    scene = next;
  }
  if (scene.length > 300) scene = `${scene.slice(0, 299).trimEnd()}…`;
  return scene;
}
