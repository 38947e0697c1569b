/** Formatting for the admin pages: durations, money and token counts as a person reads them. */
import { formatCount } from "./format";

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatUsd(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = Number(value);
  if (!Number.isFinite(n)) return "—";
  if (n === 0 || Math.abs(n) >= 0.01) return `$${n.toFixed(2)}`;
  // A small cost keeps its significant digits: $0.00027, not $0.0003 (nor $0.0000 for a fraction of a cent's cent).
  const digits = Math.abs(n)
    .toFixed(10)
    .replace(/\.?0+$/, "");
  return digits === "0" ? `${n < 0 ? "-" : ""}<$0.0000000001` : `${n < 0 ? "-" : ""}$${digits}`;
}

export function formatTokens(input: number | null | undefined, output: number | null | undefined): string {
  if (input === null && output === null) return "—";
  return formatCount((input ?? 0) + (output ?? 0));
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return "—";
  return `${(ratio * 100).toFixed(1)}%`;
}

/** ISO timestamp shown the same on the server and the client (UTC), for tables that must not shift on hydration. */
export function formatUtc(value: Date | string): string {
  const d = typeof value === "string" ? new Date(value) : value;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
