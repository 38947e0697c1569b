import { describe, expect, it } from "vitest";
import { errorCatalog } from "@/lib/errors";
import { apiOperations, openApiDocument } from "@/lib/http/openapi";
import { jobListParams } from "@/lib/stories/job-list";
import { jobListQuerySchema } from "@/lib/http/api-schemas";
import { v1 } from "@/lib/http/v1-operations";
import { backgroundRequestSchema } from "@/lib/stories/background/request";
import { pageAddSchema, pageSaveSchema, storyCreateSchema, storyUpdateSchema } from "@/lib/stories/validation";

/**
 * The generated OpenAPI document is a well-formed OpenAPI 3.1 document. (That each route's real answers parse with
 * the schemas it is generated from is checked on every call in v1.test.ts and budget.test.ts: tests/api/v1-contract.ts.)
 */
const doc = openApiDocument() as unknown as OpenApiDocument;
const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** The parts of an OpenAPI 3.1 document these tests read. */
interface CodeEnumSchema {
  properties: { code: { enum: string[] } };
}
interface Parameter {
  in: string;
  name: string;
  required?: boolean;
}
interface Response {
  description?: string;
  headers?: Record<string, { schema?: unknown }>;
  content: { "application/json": { schema: CodeEnumSchema } };
}
interface Operation {
  operationId: string;
  summary?: string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, Response>;
}
interface OpenApiDocument {
  openapi: string;
  info: unknown;
  security: Record<string, unknown>[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, unknown> & { bearerAuth: unknown };
    schemas: Record<string, unknown> & { Error: CodeEnumSchema };
  };
}

function* walk(value: unknown, path: string[] = []): Generator<[string[], string, unknown]> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* walk(v, [...path, String(i)]);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      yield [path, k, v];
      yield* walk(v, [...path, k]);
    }
  }
}

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );

describe("the OpenAPI document", () => {
  it("has the 3.1 top level: version, info, paths, components, a security scheme", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(7);
    expect(doc.components.securitySchemes.bearerAuth).toEqual(
      expect.objectContaining({ type: "http", scheme: "bearer" }),
    );
    for (const requirement of doc.security)
      for (const name of Object.keys(requirement)) expect(doc.components.securitySchemes).toHaveProperty([name]);
    // Plain JSON: nothing a serializer would drop or choke on.
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it("every operation is well formed: unique operationId, declared path parameters, described responses", () => {
    const ids = new Set<string>();
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      expect(methods, where).toContain(method);
      expect(path, where).toMatch(/^\/api\/v1\//);
      expect(ids.has(op.operationId), `duplicate operationId ${op.operationId}`).toBe(false);
      ids.add(op.operationId);
      expect(op.summary, where).toEqual(expect.any(String));

      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const pathParams = (op.parameters ?? []).filter((p) => p.in === "path");
      expect(pathParams.map((p) => p.name).sort(), where).toEqual(templated);
      for (const p of op.parameters ?? []) {
        expect(["path", "query", "header", "cookie"], where).toContain(p.in);
        expect(p, where).toMatchObject({ name: expect.any(String), schema: expect.any(Object) });
        if (p.in === "path") expect(p.required, where).toBe(true);
      }
      // JSON everywhere, except an upload (the manuscript import), which is multipart with its fields described.
      if (op.requestBody) {
        const media = path === "/api/v1/stories/import" ? "multipart/form-data" : "application/json";
        expect(Object.keys(op.requestBody.content), where).toEqual([media]);
      }

      expect(Object.keys(op.responses).length, where).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(op.responses)) {
        expect(status, where).toMatch(/^[1-5]\d\d$/);
        expect(response.description, `${where} ${status}`).toEqual(expect.any(String));
        for (const header of Object.values(response.headers ?? {}))
          expect(header.schema, `${where} ${status}`).toBeDefined();
      }
    }
  });

  it("every $ref resolves to a component, and no JSON Schema root keywords are left inside", () => {
    for (const [path, key, value] of walk(doc)) {
      if (key === "$ref") {
        expect(value, path.join("/")).toMatch(/^#\/components\/schemas\//);
        const name = String(value).slice("#/components/schemas/".length);
        expect(doc.components.schemas, `${path.join("/")} → ${name}`).toHaveProperty([name]);
      }
      // `$defs` would be dangling and `$id` fragments are invalid once the schemas sit inside the document.
      if (path.at(-1) !== "properties") expect(["$defs", "$id", "$schema"], path.join("/")).not.toContain(key);
    }
  });

  it("documents authentication and limits: 401 with WWW-Authenticate, 429 with Retry-After, 500 everywhere but the document itself", () => {
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      if (op.security && op.security.length === 0) {
        expect(op.responses["401"], where).toBeUndefined();
        continue;
      }
      expect(op.responses["401"]?.headers, where).toHaveProperty(["WWW-Authenticate"]);
      expect(op.responses["500"], where).toBeDefined();
      if (op.responses["429"]) expect(op.responses["429"].headers, where).toHaveProperty(["Retry-After"]);
    }
  });

  it("error bodies name only the catalog's codes, each under its catalog status", () => {
    expect(doc.components.schemas.Error.properties.code.enum.sort()).toEqual(Object.keys(errorCatalog).sort());
    for (const { path, method, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const codes: string[] = response.content["application/json"].schema.properties.code.enum;
        for (const code of codes)
          expect(errorCatalog[code as keyof typeof errorCatalog].status, `${method} ${path} ${code}`).toBe(
            Number(status),
          );
      }
    }
  });

  it("is generated for every operation, and the job list's query is the list the route accepts", () => {
    for (const op of apiOperations)
      expect(doc.paths[op.path], op.operationId).toHaveProperty([op.method.toLowerCase()]);
    expect(Object.keys(jobListQuerySchema.shape).sort()).toEqual([...jobListParams].sort());
  });

  it("stories and pages: request bodies are the domain's own schemas (not written twice), minus the path's ids", () => {
    expect(v1.createStory.body!.schema).toBe(storyCreateSchema);
    const keys = (schema: unknown) => Object.keys((schema as { shape: object }).shape).sort();
    expect(keys(v1.updateStory.body!.schema)).toEqual(keys(storyUpdateSchema).filter((k) => k !== "storyId"));
    expect(keys(v1.createPage.body!.schema)).toEqual(keys(pageAddSchema).filter((k) => k !== "storyId"));
    expect(keys(v1.updatePage.body!.schema)).toEqual(keys(pageSaveSchema).filter((k) => k !== "pageId"));
    expect(keys(v1.startRevision.body!.schema)).toEqual(keys(backgroundRequestSchema).filter((k) => k !== "storyId"));
    // The same field objects, so a rule changed in the domain changes the document.
    expect((v1.updatePage.body!.schema as unknown as typeof pageSaveSchema).shape.baseVersion).toBe(
      pageSaveSchema.shape.baseVersion,
    );
    const created = doc.paths["/api/v1/stories"]!.post!;
    expect(created.responses["201"]!.headers).toHaveProperty(["Location"]);
    expect(doc.paths["/api/v1/pages/{pageId}"]!.patch!.responses).toHaveProperty(["409"]);
  });
});
