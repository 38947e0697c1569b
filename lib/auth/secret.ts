import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * AUTH_SECRET signs session cookies. On the embedded defaults a newcomer has none, so one is generated on first
 * start and kept next to the embedded database (outside the repository). With a real database it must be set.
 */
export function authSecret(): string {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  // `next build` evaluates the auth modules to collect route configuration but serves no request: nothing is signed
  // with this value, and the real secret is required again when the server starts.
  if (process.env.NEXT_PHASE === "phase-production-build") return "build-time-placeholder-never-used-for-signing";
  if (process.env.DATABASE_URL) {
    throw new Error(
      "AUTH_SECRET is not set. Generate one with `openssl rand -base64 32` and set it in the environment.",
    );
  }
  const file = path.resolve(process.env.PGLITE_DIR ? path.dirname(process.env.PGLITE_DIR) : ".data", "auth-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const secret = crypto.randomBytes(32).toString("base64url");
    try {
      fs.writeFileSync(file, secret, { flag: "wx", mode: 0o600 });
      return secret;
    } catch {
      // Another worker wrote it first: use theirs so that every process signs with the same key.
      return fs.readFileSync(file, "utf8").trim();
    }
  }
}
