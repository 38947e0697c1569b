/**
 * The instruction and the target section alone do not fit the prompt budget: nothing can be left out to make room.
 * (Everything else in a context can be summarised or rolled up; these two cannot.) A revision of a page this long is
 * done section by section by the caller; a request that cannot be split is refused with these numbers.
 */
export class ContextBudgetError extends Error {
  constructor(
    message: string,
    readonly neededTokens: number,
    readonly budgetTokens: number,
  ) {
    super(message);
    this.name = "ContextBudgetError";
  }
}
