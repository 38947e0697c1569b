import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import type { Actor } from "@/lib/stories/actor";
import { authorizeSignIn } from "./authorize";
import { authConfig } from "./config";

export const { handlers, auth, signIn, signOut } = NextAuth(async () => ({
  ...(await authConfig()),
  providers: [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      // Every way in (the sign-in form's action, a direct POST to Auth.js's callback) passes here.
      authorize: authorizeSignIn,
    }),
  ],
}));

/** The signed-in user as the domain sees them, or null for an anonymous visitor. */
export async function currentActor(): Promise<Actor | null> {
  return (await currentSession())?.actor ?? null;
}

/** The signed-in user and the session they are signed in with (to watch it: lib/auth/sessions.ts#watchSession). */
export async function currentSession(): Promise<{ actor: Actor; sessionId: string } | null> {
  const session = await auth();
  if (!session?.user?.id || !session.sessionId) return null;
  return { actor: { id: session.user.id, role: session.user.role }, sessionId: session.sessionId };
}
