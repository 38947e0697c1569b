/**
 * Takes (issue 15): on a page, the author asks for 2–4 takes of the same request; they are written side by side (a
 * take set: one `page_text.takes` fan-out job on the page, one `page_text.take` child per take, each with its own
 * sampling temperature and seed), the author reads them and chooses one, which lands like Generate (a revision, or a
 * suggestion if the page changed meanwhile); the others stay in the ledger, discarded, never written anywhere.
 *
 * This file: what the set's job records about its request (its prompt payload), and the sampling of each take.
 */
export interface TakeSampling {
  temperature: number;
  seed: number;
}

export interface TakeSetPayload {
  pageId: string;
  mode: "write" | "revise";
  /** Take n's seed is baseSeed + n (samplingFor). */
  baseSeed: number;
  /** The takes asked for with the set (each `takeId` is its child's target id); "another take" adds children only. */
  takes: ({ takeId: string } & TakeSampling)[];
  /** Set once the author chose: the chosen take's job id and how it landed. */
  chosen?: { takeJobId: string; at: string; landing: string } | null;
}

/**
 * Temperatures of the takes by position: spread around the provider's default so that the takes differ in manner,
 * not only in words; the seed makes each take reproducible (and, for the offline model, its text).
 */
const TEMPERATURES = [0.8, 1.0, 1.2, 0.9, 1.1, 0.7, 1.3, 0.95];

/**
 * The sampling of a set's take number `index` (0-based): seeds are consecutive from the set's base seed, so the takes
 * of one set never share a seed (and a provider that honours seeds, or the offline model, never repeats a take).
 */
export function samplingFor(index: number, baseSeed: number): TakeSampling {
  return {
    temperature: TEMPERATURES[index % TEMPERATURES.length]!,
    seed: (baseSeed + index) % 2_147_483_647,
  };
}

/** A random base seed for a new set. */
export function newBaseSeed(random: () => number = Math.random): number {
  return Math.floor(random() * 2_000_000_000);
}
