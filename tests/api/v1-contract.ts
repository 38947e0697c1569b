import { expect } from "vitest";
import { responseSchema } from "@/lib/http/openapi";
import type { ApiOperation } from "@/lib/http/v1-operations";
import { callRoute } from "./route-call";

/**
 * callRoute that also holds every answer of a v1 route to its operation: the status must be one the operation (and
 * so the OpenAPI document) declares, and the body must parse with that status's zod schema and lose nothing doing so
 * (zod drops fields a schema does not know: a field the route sends and the document lacks fails here).
 */
export function contractCheckedCallRoute(routes: [handler: unknown, operation: ApiOperation][]): typeof callRoute {
  const operations = new Map(routes);
  return async <Body>(handler: unknown, options: Parameters<typeof callRoute>[1]) => {
    const answer = await callRoute<Body>(handler, options);
    const op = operations.get(handler);
    if (op) expectAnswerMatches(op, answer);
    return answer;
  };
}

function expectAnswerMatches(op: ApiOperation, answer: { status: number; body: unknown }): void {
  const where = `${op.method} ${op.path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
  const schema = responseSchema(op, answer.status);
  expect(schema, `undocumented status: ${where}`).toBeDefined();
  const parsed = schema!.safeParse(answer.body);
  expect(parsed.success ? null : parsed.error.issues, `does not parse: ${where}`).toBeNull();
  expect(parsed.data, `fields the document lacks: ${where}`).toEqual(answer.body);
}
