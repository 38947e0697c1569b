import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/http/openapi";

export const dynamic = "force-static";

/** The OpenAPI 3.1 description of REST API v1. Public: it describes the API, it holds no data. */
export function GET() {
  return NextResponse.json(openApiDocument());
}
