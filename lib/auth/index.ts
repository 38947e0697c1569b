import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import type { Actor } from "@/lib/stories/actor";
import { authConfig } from "./config";
import { verifyCredentials } from "./users";

export const { handlers, auth, signIn, signOut } = NextAuth(async () => ({
  ...(await authConfig()),
  providers: [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        const user = await verifyCredentials(credentials);
        if (!user) throw new CredentialsSignin();
        return user;
      },
    }),
  ],
}));

/** The signed-in user as the domain sees them, or null for an anonymous visitor. */
export async function currentActor(): Promise<Actor | null> {
  const session = await auth();
  if (!session?.user?.id) return null;
  return { id: session.user.id, role: session.user.role };
}
