import fs from "node:fs";
import os from "node:os";

/** The machine's load (1, 5, 15 min), noted at the start and end of every benchmark: this machine is shared. */
export function loadavg(): string {
  try {
    return fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ");
  }
}
