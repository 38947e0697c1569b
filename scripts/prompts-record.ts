/** `npm run prompts:record`: records the rendered prompts of the fixtures on purpose (see scripts/prompts-harness.ts). */
import { recordAll } from "./prompts-harness";

const changed = await recordAll();
console.log(changed.length === 0 ? "Every recorded prompt was already up to date." : `Recorded: ${changed.join(", ")}`);
