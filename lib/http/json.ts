import { NextResponse } from "next/server";
import { isAppError, toPublicError } from "@/lib/errors";
import { log } from "@/lib/log";

/** A JSON error answer with the code's status; unexpected errors are logged and answered as INTERNAL. */
export function errorResponse(error: unknown, context: Record<string, unknown> = {}): NextResponse {
  if (!isAppError(error)) log("error", "request failed", { ...context, error });
  const body = toPublicError(error);
  const status = isAppError(error) ? error.status : 500;
  return NextResponse.json(body, { status, headers: { "cache-control": "no-store" } });
}
