import { z } from "zod";
import { errorCatalog, type ErrorCode } from "@/lib/errors";
import { apiRegistry, errorBodySchema } from "./api-schemas";
import { openApiOperation, v1, type ApiOperation } from "./v1-operations";

/**
 * The OpenAPI 3.1 description of REST API v1, generated from the operations in v1-operations.ts and the zod schemas
 * they name (zod's `z.toJSONSchema`; OpenAPI 3.1 schemas are JSON Schema 2020-12). Requests are described as clients
 * send them (`io: "input"`: defaults make a field optional); responses too, so an added field is not a closed
 * object's breaking change. Named schemas (`apiRegistry` ids) become components.
 */

type JsonSchema = Record<string, unknown>;

/** API-specific notes on error codes (the catalog's message says what a person reads; this says when it happens). */
const errorNotes: Partial<Record<ErrorCode, string>> = {
  VALIDATION:
    "bad JSON, a body that is not an object, a bad field or query parameter: `details.fields` maps each one to what is wrong.",
  UNAUTHENTICATED: "no token, or a revoked / expired / unknown token.",
  NOT_FOUND: "unknown id, or an id of something the token's user may not see (the two look the same).",
  CONFLICT: "the job has not finished, or another job runs on the page (`details.activeJobId`).",
  LIMIT_EXCEEDED:
    "the story does not fit the model's input budget, a page's text is over 100,000 characters, or the body is over 64 KB (page bodies: 604 KB).",
  GEN_BUDGET_EXCEEDED: "today's spending budget is used (`details.resetsAt`).",
  RATE_LIMITED: "too many new AI jobs in the last minute (`details.retryAfterSeconds`).",
  INTERNAL: "unexpected failure (logged on the server; no details are sent).",
};

const componentRef = (id: string) => `#/components/schemas/${id}`;

/** z.toJSONSchema's shared options: dates (query filters coerce them) travel as ISO strings. */
function conversion(): Parameters<typeof z.toJSONSchema>[1] & object {
  return {
    io: "input",
    metadata: apiRegistry,
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === "date") Object.assign(jsonSchema, { type: "string", format: "date-time" });
    },
  };
}

/** Rewrites the `$defs` references of a single-schema conversion to the document's components (generated alike). */
function toComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === "$schema" || key === "$defs" || key === "$id") continue;
    out[key] =
      key === "$ref" && typeof inner === "string"
        ? inner.replace(/^#\/\$defs\//, "#/components/schemas/")
        : toComponentRefs(inner);
  }
  return out;
}

/** One schema for the document: a `$ref` when it is a named component, inline otherwise. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  return toComponentRefs(z.toJSONSchema(schema, conversion())) as JsonSchema;
}

function components(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(apiRegistry, { ...conversion(), uri: componentRef });
  return Object.fromEntries(
    Object.entries(schemas)
      .filter(([key]) => key !== "__shared")
      .map(([key, schema]) => [key, toComponentRefs(schema) as JsonSchema]),
  );
}

/** Each field of an object schema as an OpenAPI parameter (`in: path | query`). */
function parameters(where: "path" | "query", schema: z.ZodObject | undefined) {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const fieldSchema = field as z.ZodType;
    const { description, ...rest } = jsonSchema(fieldSchema);
    const optional = (fieldSchema as { _zod: { optin?: string } })._zod.optin === "optional";
    return {
      name,
      in: where,
      required: where === "path" || !optional,
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

const json = (schema: z.ZodType) => ({ "application/json": { schema: jsonSchema(schema) } });

/** The statuses an operation answers with on failure, each with the codes (from the catalog) it may carry. */
function errorStatuses(op: Pick<ApiOperation, "errors">): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of op.errors) {
    const status = errorCatalog[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

/** The zod schema of an operation's answer with this status (what tests parse real answers with). */
export function responseSchema(op: ApiOperation, status: number): z.ZodType | undefined {
  if (status === op.ok.status) return op.ok.schema;
  const codes = errorStatuses(op).get(status);
  return codes ? errorBodySchema(codes) : undefined;
}

function errorResponses(op: ApiOperation) {
  const out: Record<string, unknown> = {};
  for (const [status, codes] of [...errorStatuses(op)].sort(([a], [b]) => a - b)) {
    const headers: Record<string, unknown> = {};
    if (status === 429) {
      headers["Retry-After"] = {
        description: "Seconds until a retry can succeed.",
        schema: jsonSchema(z.int().min(1)),
      };
    }
    if (status === 401 && op.auth === "bearer") {
      headers["WWW-Authenticate"] = { description: "The scheme to use: Bearer.", schema: jsonSchema(z.string()) };
    }
    out[String(status)] = {
      description: codes.map((code) => `${code}: ${errorNotes[code] ?? errorCatalog[code].message}`).join(" "),
      ...(Object.keys(headers).length ? { headers } : {}),
      content: json(errorBodySchema(codes)),
    };
  }
  return out;
}

function pathItem(op: ApiOperation) {
  const parameterList = [...parameters("path", op.params), ...parameters("query", op.query)];
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.auth === "none" ? { security: [] } : {}),
    ...(parameterList.length ? { parameters: parameterList } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: op.body.required,
            content: op.body.media ? { [op.body.media]: { schema: jsonSchema(op.body.schema) } } : json(op.body.schema),
          },
        }
      : {}),
    responses: {
      [String(op.ok.status)]: {
        description: op.ok.description,
        ...(op.ok.location
          ? {
              headers: {
                Location: {
                  description: "The URL of the job (202) or of the created resource (201).",
                  schema: jsonSchema(z.string()),
                },
              },
            }
          : {}),
        content: op.ok.media ? Object.fromEntries(op.ok.media.map((type) => [type, {}])) : json(op.ok.schema),
        ...(op.ok.media
          ? {
              headers: {
                "Content-Disposition": {
                  description: "attachment, with the file name (`filename` in ASCII, `filename*` in UTF-8).",
                  schema: jsonSchema(z.string()),
                },
              },
            }
          : {}),
      },
      ...errorResponses(op),
    },
  };
}

export const apiOperations: ApiOperation[] = Object.values(v1);

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of apiOperations) paths[op.path] = { ...paths[op.path], [op.method.toLowerCase()]: pathItem(op) };
  paths[openApiOperation.path] = {
    get: {
      operationId: openApiOperation.operationId,
      summary: openApiOperation.summary,
      security: [],
      responses: { "200": { description: "This document, OpenAPI 3.1.", content: { "application/json": {} } } },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Story Sprout REST API",
      version: "1.0.0",
      description:
        "Stories and pages, the codex, summaries, export, and AI jobs (generate, background revisions): start, follow, cancel, retry. See docs/API.md.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "A personal API token (`ss_…`) created in Settings.",
        },
      },
      schemas: components(),
    },
  };
}
