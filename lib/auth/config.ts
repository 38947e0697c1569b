import type { NextAuthConfig } from "next-auth";
import type { UserRole } from "@/db/schema";
import { authSecret } from "./secret";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: UserRole; name: string; email: string };
  }
  interface User {
    role?: UserRole;
  }
}

/**
 * The part of the Auth.js configuration that needs no database: shared by proxy.ts (which only reads the
 * session cookie) and the full configuration in lib/auth/index.ts.
 */
export const authConfig = {
  secret: authSecret(),
  trustHost: true,
  session: { strategy: "jwt" },
  pages: { signIn: "/sign-in" },
  providers: [],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = user.role ?? "author";
      }
      return token;
    },
    session({ session, token }) {
      if (token.uid) {
        session.user.id = token.uid as string;
        session.user.role = (token.role as UserRole) ?? "author";
      }
      return session;
    },
  },
} satisfies NextAuthConfig;
