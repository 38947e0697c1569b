import { CredentialsSignin, type User } from "next-auth";
import { clientAddress } from "./client-address";
import { admitAttempt, AttemptsThrottled, recordFailedSignIn, recordSuccessfulSignIn } from "./throttle";
import { verifyCredentials } from "./users";

/** A sign-in refused before its password was checked; the code carries the wait for the sign-in form. */
export class ThrottledSignIn extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `throttled:${retryAfterSeconds}`;
  }
}

/**
 * The credentials check behind every sign-in, with the guessing limits around it: a throttled attempt is refused
 * before the password is looked at; a wrong password counts against the account, a right one clears its count.
 */
export async function authorizeSignIn(credentials: Partial<Record<string, unknown>>, request: Request): Promise<User> {
  const email = typeof credentials?.email === "string" ? credentials.email : "";
  try {
    await admitAttempt("sign-in", clientAddress(request.headers), email || null);
  } catch (error) {
    if (error instanceof AttemptsThrottled) throw new ThrottledSignIn(error.retryAfterSeconds);
    throw error;
  }
  const user = await verifyCredentials(credentials);
  if (!user) {
    if (email) await recordFailedSignIn(email);
    throw new CredentialsSignin();
  }
  await recordSuccessfulSignIn(email);
  return user;
}
