"use server";

import type { ActionResult } from "@/lib/action-result";
import {
  getPageSummary,
  getSummarizeAll,
  pinPageSummary,
  requestSummarizeAll,
  unpinPageSummary,
  type PageSummaryView,
  type SummarizeAllOutcome,
  type SummarizeAllView,
} from "@/lib/stories";
import { runAction } from "./run";

export async function getPageSummaryAction(input: unknown): Promise<ActionResult<PageSummaryView>> {
  return runAction("getPageSummary", (actor) => getPageSummary(actor, input));
}

export async function pinPageSummaryAction(input: unknown): Promise<ActionResult<PageSummaryView>> {
  return runAction("pinPageSummary", (actor) => pinPageSummary(actor, input));
}

export async function unpinPageSummaryAction(input: unknown): Promise<ActionResult<PageSummaryView>> {
  return runAction("unpinPageSummary", (actor) => unpinPageSummary(actor, input));
}

export async function requestSummarizeAllAction(input: unknown): Promise<ActionResult<SummarizeAllOutcome>> {
  return runAction("requestSummarizeAll", (actor) => requestSummarizeAll(actor, input));
}

export async function getSummarizeAllAction(input: unknown): Promise<ActionResult<SummarizeAllView | null>> {
  return runAction("getSummarizeAll", (actor) => getSummarizeAll(actor, input));
}
