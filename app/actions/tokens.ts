"use server";

import type { ActionResult } from "@/lib/action-result";
import { createApiToken, listApiTokens, revokeApiToken, type ApiTokenView } from "@/lib/auth/api-tokens";
import { runAction } from "./run";

export async function createApiTokenAction(
  input: unknown,
): Promise<ActionResult<{ token: ApiTokenView; secret: string }>> {
  return runAction("createApiToken", (actor) => createApiToken(actor, input));
}

export async function listApiTokensAction(): Promise<ActionResult<ApiTokenView[]>> {
  return runAction("listApiTokens", (actor) => listApiTokens(actor));
}

export async function revokeApiTokenAction(input: unknown): Promise<ActionResult<ApiTokenView>> {
  return runAction("revokeApiToken", (actor) => revokeApiToken(actor, input));
}
