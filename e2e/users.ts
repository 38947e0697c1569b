import crypto from "node:crypto";

export interface TestUser {
  name: string;
  email: string;
  password: string;
}

/** A brand-new user with a unique email, so tests never share an account. */
export function makeUser(label = "author"): TestUser {
  const id = crypto.randomBytes(5).toString("hex");
  return { name: `${label} ${id}`, email: `${label}-${id}@e2e.test`, password: `pw-${id}-secret` };
}

/** The admin scripts/e2e-server.sh creates for this run (see playwright.config.ts). */
export function e2eAdmin(): Pick<TestUser, "email" | "password"> {
  const email = process.env.E2E_ADMIN_EMAIL;
  const password = process.env.E2E_ADMIN_PASSWORD;
  if (!email || !password)
    throw new Error("E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD are unset: run the specs through playwright.config.ts");
  return { email, password };
}
