import { getDbHandle, isEmbeddedDatabase } from "@/db";
import { startInngest, stopInngest } from "@/lib/inngest/start-engine";
import { authSecret } from "@/lib/auth/secret";
import { importBuiltinPrompts } from "@/lib/ai";
import { log } from "@/lib/log";
import { cacheTtlSeconds, modelRegistry } from "@/lib/ai";
import { installGracefulShutdown } from "./shutdown";
import { demoAccounts, seedDemoIfEmpty } from "@/lib/stories/demo";

/** Opens the database at start, so that a locked or unreachable database is reported at once, not on a first click. */
export async function startServer(): Promise<void> {
  try {
    // Fails now, with the message saying what to set, rather than on every sign-in later.
    const handle = await getDbHandle();
    await authSecret();
    // An invalid model registry (a model without a provider, a negative price) stops the start, naming the field.
    modelRegistry();
    cacheTtlSeconds();
    // The built-in prompt versions; a file changed without a new version number stops the start here, with its name.
    await importBuiltinPrompts(handle.db);
  } catch (error) {
    log("error", "cannot start", { error });
    console.error(`\n${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  await startInngest();
  installGracefulShutdown({
    stopEngine: stopInngest,
    closeDb: async () => (await getDbHandle()).close(),
  });
  if (!isEmbeddedDatabase()) return;
  if (await seedDemoIfEmpty()) {
    console.log(
      [
        "",
        "Story Sprout demo data created in the embedded database. Sign in with:",
        `  admin:  ${demoAccounts.admin.email} / ${demoAccounts.admin.password}`,
        `  author: ${demoAccounts.author.email} / ${demoAccounts.author.password}`,
        "",
      ].join("\n"),
    );
  }
}
