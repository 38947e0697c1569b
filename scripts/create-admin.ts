// Creates an admin account (or promotes an existing account) on DATABASE_URL, or on the embedded database when it
// is unset: the way to get the first admin on a real server, where no demo accounts are ever seeded.
//
//   ADMIN_PASSWORD='…' npm run admin:create -- you@example.com "Your Name"
//
// The password comes from the environment so that it stays out of shell history and process listings.
import { eq, sql } from "drizzle-orm";
import { users } from "../db/schema";
import { defaultPgliteDir, openPglite, openPostgres } from "../db/client";
import { setDbHandle } from "../db/index";
import { runMigrations } from "../db/migrate";
import { createUser } from "../lib/auth/users";
import { isAppError } from "../lib/errors";

const [email, name = "Admin"] = process.argv.slice(2);
const password = process.env.ADMIN_PASSWORD;
if (!email) {
  console.error('usage: ADMIN_PASSWORD=… npm run admin:create -- <email> ["Display name"]');
  process.exit(2);
}

const url = process.env.DATABASE_URL;
const handle = url ? openPostgres(url, { max: 1 }) : await openPglite(defaultPgliteDir());
setDbHandle(handle);
try {
  if (!url) await runMigrations(handle);
  const [existing] = await handle.db
    .update(users)
    .set({ role: "admin", updatedAt: new Date() })
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()))
    .returning({ email: users.email });
  if (existing) {
    console.log(`${existing.email} already had an account: it is now an admin (password unchanged).`);
  } else {
    if (!password) throw new Error(`No account for ${email} yet: set ADMIN_PASSWORD to create one.`);
    const user = await createUser({ email, name, password }, { role: "admin", bypassSignupSwitch: true });
    console.log(`Admin ${user.email} created.`);
  }
} catch (error) {
  const fields = isAppError(error) && error.details?.fields ? ` ${JSON.stringify(error.details.fields)}` : "";
  console.error(`Could not create the admin: ${error instanceof Error ? error.message : String(error)}${fields}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
