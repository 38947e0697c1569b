import { aiJobStatuses, aiJobTypes } from "@/db/ai-schema";
import { errorCatalog } from "@/lib/errors";
import { INSTRUCTION_MAX } from "@/lib/stories/limits";

/**
 * OpenAPI 3.1 description of REST API v1, written by hand next to the routes (tests/api/openapi.test.ts checks that
 * every route file under app/api/v1 has its path here). Enumerations come from the same constants the code uses.
 */
const uuid = { type: "string", format: "uuid" } as const;
const ts = { type: "string", format: "date-time" } as const;
const nullable = (schema: object) => ({ anyOf: [schema, { type: "null" }] });

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const common = {
  "400": errorResponse("Bad input: `code` VALIDATION, `details.fields` names each wrong field."),
  "401": errorResponse("No token, or a revoked / expired / unknown token."),
  "404": errorResponse("Unknown id, or an id of something the token's user may not see."),
  "500": errorResponse("Unexpected failure (logged; no details are sent)."),
};
const limited = {
  "429": {
    ...errorResponse("GEN_BUDGET_EXCEEDED (daily budget used; `details.resetsAt`) or RATE_LIMITED (`details.retryAfterSeconds`)."),
    headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds until a retry can succeed." } },
  },
};

const jobIdParam = { name: "jobId", in: "path", required: true, schema: uuid };
const jsonBody = (ref: string, required = true) => ({
  required,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const ok = (description: string, ref: string) => ({
  description,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } },
});

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Story Sprout REST API",
      version: "1.0.0",
      description: "Generate page text with AI and follow, cancel and retry jobs. See docs/API.md.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }],
    paths: {
      "/api/v1/pages/{pageId}/generate": {
        post: {
          operationId: "generatePage",
          summary: "Write (blank page) or revise (page with text) a page with AI",
          parameters: [{ name: "pageId", in: "path", required: true, schema: uuid }],
          requestBody: jsonBody("GenerateRequest", false),
          responses: {
            "202": ok("Accepted: `created` true for a new job, false when a job already running on the page was joined.", "JobAccepted"),
            "413": errorResponse("LIMIT_EXCEEDED: the story does not fit the model's input budget."),
            ...limited,
            ...common,
          },
        },
      },
      "/api/v1/jobs": {
        get: {
          operationId: "listJobs",
          summary: "Job history, newest first (authors: jobs they requested; admins: all)",
          parameters: [
            { name: "status", in: "query", schema: { type: "string", enum: [...aiJobStatuses] } },
            { name: "type", in: "query", schema: { type: "string", enum: [...aiJobTypes] } },
            { name: "storyId", in: "query", schema: uuid },
            { name: "userId", in: "query", schema: uuid, description: "Admins only." },
            { name: "model", in: "query", schema: { type: "string" } },
            { name: "errorCode", in: "query", schema: { type: "string" } },
            { name: "from", in: "query", schema: ts, description: "Created at or after (inclusive)." },
            { name: "to", in: "query", schema: ts, description: "Created before (exclusive)." },
            { name: "cursor", in: "query", schema: { type: "string" }, description: "nextCursor of an answer: the older page after it." },
            { name: "before", in: "query", schema: { type: "string" }, description: "prevCursor of an answer: the newer page before it." },
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
          ],
          responses: { "200": ok("One page of jobs.", "JobList"), ...common },
        },
      },
      "/api/v1/jobs/{jobId}": {
        get: {
          operationId: "getJob",
          summary: "One job: state, partial or final text, outcome; or a background revision's progress",
          parameters: [jobIdParam],
          responses: { "200": ok("The job.", "AnyJob"), ...common },
        },
      },
      "/api/v1/jobs/{jobId}/cancel": {
        post: {
          operationId: "cancelJob",
          summary: "Cancel a pending or running job (idempotent); a background revision cancels its unfinished pages",
          parameters: [jobIdParam],
          responses: { "200": ok("The job after the cancel.", "AnyJob"), ...common },
        },
      },
      "/api/v1/jobs/{jobId}/retry": {
        post: {
          operationId: "retryJob",
          summary: "Run a finished job again as a new job linked to it",
          parameters: [jobIdParam],
          responses: {
            "202": ok("The new job.", "JobAccepted"),
            "409": errorResponse("CONFLICT: the job has not finished, or another job runs on the page (`details.activeJobId`)."),
            ...limited,
            ...common,
          },
        },
      },
      "/api/v1/generations/validate": {
        post: {
          operationId: "validateGeneration",
          summary: "Check a generation request (input, ownership, budget, rate, input size) without creating a job",
          requestBody: jsonBody("ValidateRequest"),
          responses: {
            "200": ok("The request would be accepted.", "ValidateResult"),
            "413": errorResponse("LIMIT_EXCEEDED: the story does not fit the model's input budget."),
            ...limited,
            ...common,
          },
        },
      },
      "/api/v1/openapi.json": {
        get: {
          operationId: "openApi",
          summary: "This document",
          security: [],
          responses: { "200": { description: "OpenAPI 3.1 document", content: { "application/json": {} } } },
        },
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "A personal API token (`ss_…`) created in Settings." },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["code", "message"],
          properties: {
            code: { type: "string", enum: Object.keys(errorCatalog) },
            message: { type: "string", description: "A sentence for a person." },
            details: { type: "object", additionalProperties: true },
          },
        },
        GenerateRequest: {
          type: "object",
          properties: {
            mode: { type: "string", enum: ["write", "revise"], description: "Omitted: write a blank page, revise one with text." },
            instruction: { type: "string", maxLength: INSTRUCTION_MAX },
          },
        },
        ValidateRequest: {
          type: "object",
          required: ["pageId"],
          properties: {
            pageId: uuid,
            mode: { type: "string", enum: ["write", "revise"] },
            instruction: { type: "string", maxLength: INSTRUCTION_MAX },
          },
        },
        ValidateResult: {
          type: "object",
          required: ["ok", "pageId", "mode", "wouldJoinJobId", "model", "provider"],
          properties: {
            ok: { const: true },
            pageId: uuid,
            mode: { type: "string", enum: ["write", "revise"] },
            wouldJoinJobId: nullable(uuid),
            model: { type: "string" },
            provider: { type: "string" },
            promptTokens: { type: "integer" },
            budgetTokens: { type: "integer" },
            pagesShortened: { type: "integer" },
            allowance: nullable({ $ref: "#/components/schemas/Allowance" }),
          },
        },
        Allowance: {
          type: "object",
          properties: {
            tokensUsed: { type: "integer", description: "Tokens of today's finished jobs." },
            tokensReserved: { type: "integer", description: "Estimated tokens of jobs not finished yet (0 without a token budget)." },
            costUsedUsd: { type: "number" },
            tokenBudget: nullable({ type: "integer" }),
            costBudgetUsd: nullable({ type: "number" }),
            tokensLeft: nullable({ type: "integer", description: "tokenBudget − tokensUsed − tokensReserved, at least 0." }),
            costLeftUsd: nullable({ type: "number" }),
            ratePerMinute: nullable({ type: "integer" }),
            resetsAt: ts,
          },
        },
        Job: {
          type: "object",
          required: ["id", "status", "jobType", "pageId", "model", "provider", "createdAt"],
          properties: {
            id: uuid,
            status: { type: "string", enum: [...aiJobStatuses] },
            jobType: { type: "string", enum: [...aiJobTypes] },
            pageId: uuid,
            model: { type: "string" },
            provider: { type: "string" },
            modelLabel: { type: "string" },
            instruction: { type: "string" },
            baseVersion: nullable({ type: "integer" }),
            partialText: nullable({ type: "string" }),
            outputText: nullable({ type: "string" }),
            errorCode: nullable({ type: "string" }),
            errorMessage: nullable({ type: "string" }),
            createdAt: ts,
            startedAt: nullable(ts),
            completedAt: nullable(ts),
            resolution: nullable({ type: "string", enum: ["applied", "suggested"] }),
            suggestionId: nullable(uuid),
          },
        },
        BackgroundRevision: {
          type: "object",
          required: ["id", "jobType", "storyId", "status", "total", "done", "pages"],
          properties: {
            id: uuid,
            jobType: { type: "string", enum: ["story.revise_pages"] },
            storyId: uuid,
            status: { type: "string", enum: [...aiJobStatuses] },
            instruction: { type: "string" },
            modelLabel: { type: "string" },
            createdAt: ts,
            completedAt: nullable(ts),
            total: { type: "integer", description: "Pages being revised." },
            done: { type: "integer" },
            succeeded: { type: "integer" },
            failed: { type: "integer" },
            cancelled: { type: "integer" },
            active: { type: "integer", description: "Pages waiting for a slot or running." },
            openSuggestions: { type: "integer" },
            pages: { type: "array", items: { type: "object", description: "One page's job: page id and number, job id, status, suggestion." } },
            skipped: { type: "array", items: { type: "object" } },
            failures: { type: "array", items: { type: "object" } },
          },
        },
        AnyJob: {
          description: "A page's job, or (jobType story.revise_pages) a background revision.",
          oneOf: [{ $ref: "#/components/schemas/Job" }, { $ref: "#/components/schemas/BackgroundRevision" }],
        },
        JobAccepted: {
          type: "object",
          required: ["created", "job"],
          properties: { created: { type: "boolean" }, job: { $ref: "#/components/schemas/Job" } },
        },
        JobSummary: {
          type: "object",
          properties: {
            id: uuid,
            status: { type: "string", enum: [...aiJobStatuses] },
            type: { type: "string", enum: [...aiJobTypes] },
            targetType: { type: "string" },
            targetId: uuid,
            storyId: nullable(uuid),
            requestedBy: nullable(uuid),
            parentJobId: nullable(uuid),
            retryOf: nullable(uuid),
            provider: { type: "string" },
            model: { type: "string" },
            inputTokens: nullable({ type: "integer" }),
            outputTokens: nullable({ type: "integer" }),
            costUsd: nullable({ type: "number" }),
            attempts: { type: "integer" },
            errorCode: nullable({ type: "string" }),
            createdAt: ts,
            startedAt: nullable(ts),
            completedAt: nullable(ts),
            durationMs: nullable({ type: "number" }),
          },
        },
        JobList: {
          type: "object",
          required: ["jobs", "nextCursor", "prevCursor"],
          properties: {
            jobs: { type: "array", items: { $ref: "#/components/schemas/JobSummary" } },
            nextCursor: nullable({ type: "string" }),
            prevCursor: nullable({ type: "string" }),
          },
        },
      },
    },
  };
}
