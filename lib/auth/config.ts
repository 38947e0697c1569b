import type { NextAuthConfig } from "next-auth";
import type { UserRole } from "@/db/schema";
import { authSecret } from "./secret";
import { checkSession, endSession, SESSION_MAX_AGE_SECONDS, startSession } from "./sessions";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: UserRole; name: string; email: string };
    /** The user_sessions row behind the cookie (not a credential: only the signed cookie is). */
    sessionId?: string;
  }
  interface User {
    role?: UserRole;
  }
}

/**
 * The Auth.js configuration shared by proxy.ts (which reads the session cookie on every page request) and
 * lib/auth/index.ts (which adds the credentials provider). Built per request (Auth.js lazy initialisation) because the
 * embedded defaults keep the signing secret in the database.
 *
 * The cookie is a signed token naming a row of user_sessions; every request checks that row (live, not expired, its
 * user still there) and takes the user's role from the database, so a demotion, a deletion, a sign-out or a "sign out
 * everywhere" takes effect on the next request. Returning null from `jwt` makes Auth.js clear the cookie.
 */
export async function authConfig(): Promise<NextAuthConfig> {
  return {
    secret: await authSecret(),
    trustHost: true,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/sign-in" },
    providers: [],
    callbacks: {
      async jwt({ token, user }) {
        if (user?.id) {
          token.uid = user.id;
          token.role = user.role ?? "author";
          token.sid = await startSession(user.id);
          return token;
        }
        // A token from before sessions were recorded names no session: it cannot be ended, so it is not honoured.
        if (typeof token.sid !== "string" || typeof token.uid !== "string") return null;
        const live = await checkSession(token.sid, token.uid);
        if (!live) return null;
        token.role = live.role;
        token.name = live.name;
        token.email = live.email;
        return token;
      },
      session({ session, token }) {
        if (token.uid) {
          session.user.id = token.uid as string;
          session.user.role = (token.role as UserRole) ?? "author";
        }
        // Long-lived responses opened under this session watch it, to end with it (watchSession).
        if (typeof token.sid === "string") session.sessionId = token.sid;
        return session;
      },
    },
    events: {
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (typeof sid === "string") await endSession(sid);
      },
    },
  };
}
