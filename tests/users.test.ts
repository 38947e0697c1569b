import bcrypt from "bcryptjs";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { users } from "@/db/schema";
import { createUser, findUserByEmail, signupEnabled, verifyCredentials } from "@/lib/auth/users";
import { useTestDb } from "./helpers/db";
import { expectAppError, rowCounts } from "./helpers/fixtures";

const { db } = useTestDb();

afterEach(() => {
  vi.unstubAllEnvs();
});

let n = 0;
const uniqueEmail = (local = "user") => `${local}.${++n}@Example.com`;

describe("sign-up", () => {
  it("creates an author, keeps the email as typed (trimmed) and never returns the hash", async () => {
    const user = await createUser({
      name: "  Ann Author  ",
      email: "  Ann.Author@Example.COM ",
      password: "correct horse",
    });
    expect(user).toEqual({
      id: expect.any(String),
      name: "Ann Author",
      email: "Ann.Author@Example.COM",
      role: "author",
    });
    expect(Object.keys(user)).not.toContain("passwordHash");
    const [row] = await db().select().from(users).where(eq(users.id, user.id));
    expect(row!.email).toBe("Ann.Author@Example.COM");
  });

  it("stores the password hashed with bcrypt (cost from BCRYPT_COST), never in plain text", async () => {
    const password = "plain-text-secret";
    const user = await createUser({ name: "Hash", email: uniqueEmail("hash"), password });
    const [row] = await db().select().from(users).where(eq(users.id, user.id));
    expect(row!.passwordHash).not.toContain(password);
    expect(row!.passwordHash).toMatch(/^\$2[aby]\$04\$/);
    expect(await bcrypt.compare(password, row!.passwordHash)).toBe(true);
    // Salted: the same password gives a different hash for another user.
    const other = await createUser({ name: "Hash 2", email: uniqueEmail("hash"), password });
    const [otherRow] = await db().select().from(users).where(eq(users.id, other.id));
    expect(otherRow!.passwordHash).not.toBe(row!.passwordHash);
  });

  it("refuses a duplicate email differing only in case or surrounding spaces (EMAIL_TAKEN), writing nothing", async () => {
    await createUser({ name: "First", email: "dup@example.com", password: "quill-and-ink-1" });
    const before = await rowCounts();
    for (const email of ["DUP@example.com", "Dup@Example.Com", " dup@example.com "]) {
      const error = await expectAppError(
        createUser({ name: "Second", email, password: "quill-and-ink-2" }),
        "EMAIL_TAKEN",
      );
      expect(error.status).toBe(409);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses a password shorter than 8 characters (7 is too short, 8 is fine)", async () => {
    const before = await rowCounts();
    const error = await expectAppError(
      createUser({ name: "Short", email: uniqueEmail("short"), password: "7-chars" }),
      "VALIDATION",
    );
    expect(error.details?.fields).toEqual({ password: "A password needs at least 8 characters." });
    expect(await rowCounts()).toEqual(before);
    await createUser({ name: "Eight", email: uniqueEmail("eight"), password: "8-chars!" });
  });

  it("refuses the most common passwords, whatever their case, naming the field; nothing is saved", async () => {
    const before = await rowCounts();
    for (const password of ["12345678", "password1", "Qwertyuiop", "iloveyou1"]) {
      const error = await expectAppError(
        createUser({ name: "Common", email: uniqueEmail("common"), password }),
        "VALIDATION",
      );
      expect(error.details?.fields).toEqual({ password: expect.stringMatching(/most commonly used/) });
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses a password longer than the 72 bytes bcrypt reads, rather than silently ignoring the rest", async () => {
    const before = await rowCounts();
    const error = await expectAppError(
      createUser({ name: "Long", email: uniqueEmail("long"), password: "é".repeat(37) }),
      "VALIDATION",
    );
    expect(error.details?.fields).toEqual({ password: expect.stringMatching(/72 bytes/) });
    expect(await rowCounts()).toEqual(before);
    await createUser({ name: "Max", email: uniqueEmail("max"), password: "a".repeat(72) });
  });

  it.each([
    ["an invalid email", { name: "X", email: "not-an-email", password: "quill-and-ink-1" }, "email"],
    ["a blank name", { name: "   ", email: "blank-name@example.com", password: "quill-and-ink-1" }, "name"],
    ["an over-long password", { name: "X", email: "long-pw@example.com", password: "p".repeat(201) }, "password"],
    ["a missing password", { name: "X", email: "no-pw@example.com" }, "password"],
  ])("refuses %s with VALIDATION naming the field", async (_label, input, field) => {
    const before = await rowCounts();
    const error = await expectAppError(createUser(input), "VALIDATION");
    expect(Object.keys(error.details?.fields as object)).toContain(field);
    expect(await rowCounts()).toEqual(before);
  });

  it.each(["false", "0", "off", "no", "FALSE", "Off"])(
    "ALLOW_SIGNUP=%s → SIGNUP_DISABLED, nothing written",
    async (value) => {
      vi.stubEnv("ALLOW_SIGNUP", value);
      expect(signupEnabled()).toBe(false);
      const before = await rowCounts();
      await expectAppError(
        createUser({ name: "Nope", email: uniqueEmail("nope"), password: "quill-and-ink-1" }),
        "SIGNUP_DISABLED",
      );
      expect(await rowCounts()).toEqual(before);
    },
  );

  it("sign-up is on by default and for ALLOW_SIGNUP=true", async () => {
    vi.stubEnv("ALLOW_SIGNUP", undefined);
    expect(signupEnabled()).toBe(true);
    vi.stubEnv("ALLOW_SIGNUP", "true");
    expect(signupEnabled()).toBe(true);
    await createUser({ name: "Yes", email: uniqueEmail("yes"), password: "quill-and-ink-1" });
  });

  it("an admin can still create accounts (bypassSignupSwitch) when sign-up is off, with the given role", async () => {
    vi.stubEnv("ALLOW_SIGNUP", "false");
    const made = await createUser(
      { name: "Made by admin", email: uniqueEmail("made"), password: "quill-and-ink-1" },
      { role: "admin", bypassSignupSwitch: true },
    );
    expect(made.role).toBe("admin");
  });
});

describe("verifyCredentials", () => {
  const email = "Carol.Credentials@Example.com";
  const password = "the right password";
  let userId: string;

  it("returns the public user for the correct password, with any email case and spaces", async () => {
    userId = (await createUser({ name: "Carol", email, password })).id;
    const expected = { id: userId, email, name: "Carol", role: "author" };
    expect(await verifyCredentials({ email, password })).toEqual(expected);
    expect(await verifyCredentials({ email: " carol.credentials@EXAMPLE.com ", password })).toEqual(expected);
  });

  it("returns null for a wrong password (including different case or extra spaces)", async () => {
    expect(await verifyCredentials({ email, password: "the wrong password" })).toBeNull();
    expect(await verifyCredentials({ email, password: password.toUpperCase() })).toBeNull();
    expect(await verifyCredentials({ email, password: ` ${password}` })).toBeNull();
  });

  it("returns null for an unknown email", async () => {
    expect(await verifyCredentials({ email: "nobody@example.com", password })).toBeNull();
  });

  it("returns null (does not throw) for malformed input", async () => {
    expect(await verifyCredentials(undefined)).toBeNull();
    expect(await verifyCredentials({ email: "", password: "" })).toBeNull();
    expect(await verifyCredentials({ email: 5, password: ["x"] })).toBeNull();
  });

  it("findUserByEmail is case-insensitive", async () => {
    expect((await findUserByEmail("CAROL.CREDENTIALS@example.COM"))?.id).toBe(userId);
    expect(await findUserByEmail("carol@example.com")).toBeUndefined();
  });
});
