import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError, errorCatalog, type ErrorCode } from "@/lib/errors";
import { callRoute, type ErrorAnswer } from "./route-call";

/**
 * One renderer for every surface (issue 10, item 2): the same error reads the same from a server action and from
 * REST, and the HTTP headers a status calls for are set on every route, the session routes under /api/jobs included.
 */
const mocks = vi.hoisted(() => ({
  currentActor: vi.fn(async () => ({ id: "00000000-0000-4000-8000-000000000001", role: "author" as const })),
  getPageJob: vi.fn(),
}));
vi.mock("@/lib/auth", () => ({ currentActor: mocks.currentActor }));
vi.mock("@/lib/auth/api-tokens", () => ({
  authenticateApiToken: async (secret: string) =>
    secret === "good" ? { id: "00000000-0000-4000-8000-000000000001", role: "author" } : null,
}));
vi.mock("@/lib/stories", async (original) => ({
  ...(await original<typeof import("@/lib/stories")>()),
  getPageJob: mocks.getPageJob,
}));

const { runAction } = await import("@/app/actions/run");
const { apiRoute } = await import("@/lib/http/api-route");
const sessionJob = await import("@/app/api/jobs/[jobId]/route");
const metrics = await import("@/app/api/metrics/route");
const v1Job = await import("@/app/api/v1/jobs/[jobId]/route");

const { operation } = await import("@/lib/http/v1-operations");
const { z } = await import("zod");
const testOperation = operation({
  method: "GET",
  path: "/api/v1/test",
  operationId: "test",
  summary: "A route that fails",
  auth: "bearer",
  ok: { status: 200, description: "Never", schema: z.object({}) },
  errors: [],
});
const JOB_ID = "00000000-0000-4000-8000-0000000000aa";
let consoleError: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
  mocks.getPageJob.mockReset();
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.METRICS_TOKEN;
});

describe("429 answers say when to come back", () => {
  it("a session route under /api/jobs answers a rate limit with Retry-After", async () => {
    mocks.getPageJob.mockRejectedValue(new AppError("RATE_LIMITED", undefined, { retryAfterSeconds: 12 }));
    const answer = await callRoute(sessionJob.GET, { params: { jobId: JOB_ID } });
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("12");
    expect(answer.body).toEqual({
      code: "RATE_LIMITED",
      message: errorCatalog.RATE_LIMITED.message,
      details: { retryAfterSeconds: 12 },
    });
  });

  it("a used-up budget waits until it resets", async () => {
    const resetsAt = new Date(Date.now() + 90_500).toISOString();
    mocks.getPageJob.mockRejectedValue(new AppError("GEN_BUDGET_EXCEEDED", undefined, { resetsAt }));
    const answer = await callRoute(sessionJob.GET, { params: { jobId: JOB_ID } });
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(90);
    expect(Number(answer.headers.get("retry-after"))).toBeLessThanOrEqual(91);
  });
});

describe("401 answers name the scheme where the route takes a bearer token", () => {
  it("REST v1 and metrics (bearer) send WWW-Authenticate; the cookie-session routes do not", async () => {
    const v1 = await callRoute<ErrorAnswer>(v1Job.GET, { token: "wrong", params: { jobId: JOB_ID } });
    expect(v1.status).toBe(401);
    expect(v1.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    expect(v1.body.code).toBe("UNAUTHENTICATED");

    process.env.METRICS_TOKEN = "s3cret";
    const scrape = await callRoute<ErrorAnswer>(metrics.GET, { token: "wrong" });
    expect(scrape.status).toBe(401);
    expect(scrape.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    expect(scrape.body.code).toBe("UNAUTHENTICATED");

    mocks.getPageJob.mockRejectedValue(new AppError("UNAUTHENTICATED"));
    const session = await callRoute(sessionJob.GET, { params: { jobId: JOB_ID } });
    expect(session.status).toBe(401);
    expect(session.headers.get("www-authenticate")).toBeNull();
  });

  it("metrics switched off is an ordinary JSON 404", async () => {
    const answer = await callRoute(metrics.GET, {});
    expect(answer).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
  });
});

describe("the same error reads the same on every surface", () => {
  const failures: [string, () => unknown][] = [
    ...(Object.keys(errorCatalog) as ErrorCode[]).map((code): [string, () => unknown] => [
      code,
      () => new AppError(code, undefined, { fields: { x: "bad" } }),
    ]),
    [
      "a custom message",
      () => new AppError("CONFLICT", "Another AI job is already running on this page.", { activeJobId: JOB_ID }),
    ],
    ["an unexpected bug", () => new Error("password=hunter2 leaked", { cause: new Error("socket hang up") })],
    ["a thrown string", () => "boom"],
  ];

  it.each(failures)(
    "%s: action result, REST v1 and session route agree on code, message and details",
    async (_name, make) => {
      const action = await runAction("test", async () => {
        throw make();
      });
      const rest = await callRoute(
        apiRoute(testOperation, async () => {
          throw make();
        }),
        { token: "good" },
      );
      mocks.getPageJob.mockRejectedValue(make());
      const session = await callRoute(sessionJob.GET, { params: { jobId: JOB_ID } });

      expect(action.ok).toBe(false);
      if (action.ok) return;
      expect(rest.body).toEqual(action.error);
      expect(session.body).toEqual(action.error);
      const expectedStatus = action.error.code === "INTERNAL" ? 500 : errorCatalog[action.error.code].status;
      expect(rest.status).toBe(expectedStatus);
      expect(session.status).toBe(expectedStatus);
      expect(JSON.stringify([action, rest.body])).not.toContain("hunter2");
    },
  );

  it("an unexpected error is logged once per surface, with its cause and the operation's name only", async () => {
    await runAction("saveThing", async () => {
      throw new Error("kaput", { cause: new Error("disk full") });
    });
    expect(consoleError).toHaveBeenCalledTimes(1);
    const entry = JSON.parse(String(consoleError.mock.calls[0]![0]));
    expect(entry).toMatchObject({
      level: "error",
      action: "saveThing",
      error: { message: "kaput" },
      causes: ["Error: disk full"],
    });
  });
});

describe("pages", () => {
  const digestOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return { error, digest: String((error as { digest?: string }).digest ?? "") };
    }
    throw new Error("pageError returned");
  };

  it("shows not-found for the codes the page names, sends a signed-out visitor to sign in, and rethrows the rest", async () => {
    const { pageError } = await import("@/lib/http/render-error");
    const options = { notFound: ["NOT_FOUND", "VALIDATION"] as const, signInCallback: "/stories/abc" };
    expect(digestOf(() => pageError(new AppError("VALIDATION"), options)).digest).toMatch(/404/);
    expect(digestOf(() => pageError(new AppError("UNAUTHENTICATED"), options)).digest).toContain(
      `/sign-in?callbackUrl=${encodeURIComponent("/stories/abc")}`,
    );
    // Without a callback a signed-out visitor is "not found" only when the page says so (admin pages).
    expect(
      digestOf(() => pageError(new AppError("UNAUTHENTICATED"), { notFound: ["UNAUTHENTICATED"] })).digest,
    ).toMatch(/404/);
    const bug = new Error("kaput");
    expect(digestOf(() => pageError(bug, options)).error).toBe(bug);
    const conflict = new AppError("CONFLICT");
    expect(digestOf(() => pageError(conflict, options)).error).toBe(conflict);
    // Rethrown to the error boundary, where Next logs it: not logged here a second time.
    expect(consoleError).not.toHaveBeenCalled();
  });
});
