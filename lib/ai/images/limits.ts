/** What an illustration may weigh: larger answers are refused before anything is stored. */
export const imageLimits = {
  /** Bytes of one image as the provider sent it. */
  maxBytes: 8 * 1024 * 1024,
  /** Width × height read from the image's header (a small file can still claim a huge canvas). */
  maxPixels: 4096 * 4096,
  /** The longest side. */
  maxSide: 4096,
} as const;
