import "server-only";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { isUniqueViolation } from "@/db/errors";
import { users, type User, type UserRole } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/stories/validation";
import { isCommonPassword } from "./common-passwords";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password";

const signUpSchema = z.object({
  name: z.string().trim().min(1, "Please tell us your name.").max(100, "A name can be at most 100 characters."),
  // Trim first, then validate: " ann@example.com" (pasted) is a valid address once trimmed.
  email: z.string().trim().pipe(z.email("Enter a valid email address.").max(254)),
  password: z
    .string()
    .min(8, "A password needs at least 8 characters.")
    // bcrypt ignores everything after 72 bytes: refuse rather than silently accept a weaker password than typed.
    .refine((p) => Buffer.byteLength(p, "utf8") <= 72, "A password can be at most 72 bytes (about 72 characters).")
    .refine(
      (p) => !isCommonPassword(p),
      "This password is one of the most commonly used ones, the first an attacker tries: choose another.",
    ),
});

const signInSchema = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
});

export function signupEnabled(): boolean {
  return !["0", "false", "off", "no"].includes((process.env.ALLOW_SIGNUP ?? "true").toLowerCase());
}

export type PublicUser = Pick<User, "id" | "email" | "name" | "role">;

export async function findUserByEmail(email: string): Promise<User | undefined> {
  const db = await getDb();
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()))
    .limit(1);
  return user;
}

export async function createUser(
  input: unknown,
  options: { role?: UserRole; bypassSignupSwitch?: boolean } = {},
): Promise<PublicUser> {
  if (!options.bypassSignupSwitch && !signupEnabled()) throw new AppError("SIGNUP_DISABLED");
  const data = parseInput(signUpSchema, input);
  const db = await getDb();
  try {
    const [user] = await db
      .insert(users)
      .values({
        name: data.name,
        email: data.email,
        passwordHash: await hashPassword(data.password),
        role: options.role ?? "author",
      })
      .returning({ id: users.id, email: users.email, name: users.name, role: users.role });
    return user!;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("EMAIL_TAKEN");
    throw error;
  }
}

/** Returns the user for a correct email and password, otherwise null (never which of the two was wrong). */
export async function verifyCredentials(input: unknown): Promise<PublicUser | null> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) return null;
  const user = await findUserByEmail(parsed.data.email);
  if (!user) {
    await burnPasswordCheck(parsed.data.password);
    return null;
  }
  if (!(await verifyPassword(parsed.data.password, user.passwordHash))) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
