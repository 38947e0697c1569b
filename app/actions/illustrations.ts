"use server";

import type { ActionResult } from "@/lib/action-result";
import {
  cancelIllustration,
  chooseIllustration,
  illustrateAfterText,
  listPageIllustrations,
  requestIllustration,
  type IllustrateAfterTextOutcome,
  type IllustrateOutcome,
  type IllustrationJobView,
  type IllustrationView,
  type PageIllustrations,
} from "@/lib/stories";
import { runAction } from "./run";

export async function requestIllustrationAction(input: unknown): Promise<ActionResult<IllustrateOutcome>> {
  return runAction("requestIllustration", (actor) => requestIllustration(actor, input));
}

export async function listPageIllustrationsAction(input: unknown): Promise<ActionResult<PageIllustrations>> {
  return runAction("listPageIllustrations", (actor) => listPageIllustrations(actor, input));
}

export async function chooseIllustrationAction(input: unknown): Promise<ActionResult<IllustrationView>> {
  return runAction("chooseIllustration", (actor) => chooseIllustration(actor, input));
}

export async function cancelIllustrationAction(input: unknown): Promise<ActionResult<IllustrationJobView | null>> {
  return runAction("cancelIllustration", (actor) => cancelIllustration(actor, input));
}

export async function illustrateAfterTextAction(input: unknown): Promise<ActionResult<IllustrateAfterTextOutcome>> {
  return runAction("illustrateAfterText", (actor) => illustrateAfterText(actor, input));
}
