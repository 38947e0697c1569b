import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { users } from "@/db/schema";
import { describeFailure } from "@/lib/ai/jobs/job-failure";
import { logIfUnexpected } from "@/lib/http/render-error";
import { log } from "@/lib/log";
import { useTestDb } from "../helpers/db";

/** Issue 12, item 8: a failed query's parameter values (password and token hashes, authors' text) never reach the log. */

const { db } = useTestDb();
let lines: string[];
beforeEach(() => {
  lines = [];
  vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
});
afterEach(() => vi.restoreAllMocks());

const SECRET_HASH = "$2b$12$thisIsTheNewUsersBcryptHashXXXXXXXXXXXXXXXXXXXXXXXXXX";

async function failedInsert(): Promise<unknown> {
  // The role check refuses the row, so the driver's error names the statement and its parameters.
  return db()
    .insert(users)
    .values({ email: "leak@example.test", name: "Leak", passwordHash: SECRET_HASH, role: "bogus" as "author" })
    .then(
      () => null,
      (error: unknown) => error,
    );
}

describe("logging a failed query", () => {
  it("keeps the statement and the database's reason but not the parameter values", async () => {
    const error = await failedInsert();
    expect(String((error as Error).message)).toContain(SECRET_HASH); // what used to be logged as is
    logIfUnexpected(error, { action: "createUser" });
    const logged = lines.join("\n");
    expect(logged).toContain("insert into");
    expect(logged).toContain("users_role_check");
    expect(logged).toContain("[withheld]");
    expect(logged).not.toContain(SECRET_HASH);
    expect(logged).not.toContain("leak@example.test");
  });

  it("withholds them from a failed query's message that reaches the log as text (an engine step's error)", async () => {
    const error = (await failedInsert()) as Error;
    log("warn", "inngest step failed", { component: "inngest", error: error.message });
    log("warn", "inngest step failed", { component: "inngest", step: "land", reason: error.message });
    const logged = lines.join("\n");
    expect(logged).toContain("Failed query: insert into");
    expect(logged).not.toContain(SECRET_HASH);
  });

  it("withholds them from the failure a job row records for an unexpected error", async () => {
    const error = (await failedInsert()) as Error;
    const described = describeFailure(error);
    expect(described).toContain("Failed query: insert into");
    expect(described).not.toContain(SECRET_HASH);
    // As onFailure receives it: the SDK's rebuilt error, a plain Error with the same message.
    expect(describeFailure(new Error(error.message))).not.toContain(SECRET_HASH);
  });
});
