import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { CredentialsSignin } from "next-auth";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { authThrottles } from "@/db/schema";
import { authorizeSignIn, ThrottledSignIn } from "@/lib/auth/authorize";
import { clientAddress, PEER_ADDRESS_HEADER } from "@/lib/auth/client-address";
import { accountDelayMs, admitAttempt, AttemptsThrottled } from "@/lib/auth/throttle";
import { createUser } from "@/lib/auth/users";
import { stampPeerAddresses } from "@/lib/server/peer-address";
import { useTestDb } from "../helpers/db";

/** Issue 12, security 6: guessing passwords is slowed per account and per client address. */
useTestDb();

let counter = 0;
async function account() {
  counter += 1;
  const email = `guess-${counter}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  await createUser({ name: "Guess", email, password: "the-right-password" });
  return email;
}
const from = (address: string) =>
  new Request("http://localhost/api/auth/callback/credentials", { headers: { [PEER_ADDRESS_HEADER]: address } });
const attempt = (email: string, password: string, address = `10.0.${counter}.1`) =>
  authorizeSignIn({ email, password }, from(address)).then(
    () => "signed in",
    (error: unknown) =>
      error instanceof ThrottledSignIn ? "throttled" : error instanceof CredentialsSignin ? "wrong" : error,
  );

describe("per account", () => {
  it("four wrong passwords cost nothing; from the fifth, even the right password waits", async () => {
    const email = await account();
    for (let i = 0; i < 4; i++) expect(await attempt(email, "guess")).toBe("wrong");
    expect(await attempt(email, "the-right-password")).toBe("signed in");
    // The right password cleared the count: four more wrong ones are free again.
    for (let i = 0; i < 4; i++) expect(await attempt(email, "guess")).toBe("wrong");
    expect(await attempt(email, "guess")).toBe("wrong"); // the fifth earns the first delay
    expect(await attempt(email, "the-right-password")).toBe("throttled");
    // From another address too: the delay belongs to the account.
    expect(await attempt(email, "the-right-password", "192.0.2.99")).toBe("throttled");
  });

  it("the delay grows and never exceeds 15 minutes; once it has passed the right password works", async () => {
    expect([4, 5, 6, 7, 8, 9, 10, 50].map((n) => accountDelayMs(n) / 1000)).toEqual([
      0, 30, 60, 120, 240, 480, 900, 900,
    ]);
    const email = await account();
    for (let i = 0; i < 5; i++) await attempt(email, "guess");
    const db = await getDb();
    const key = `account:${email}`;
    const [row] = await db.select().from(authThrottles).where(eq(authThrottles.key, key));
    const waitMs = row!.blockedUntil!.getTime() - Date.now();
    expect(waitMs).toBeGreaterThan(20_000);
    expect(waitMs).toBeLessThanOrEqual(30_000);
    await db
      .update(authThrottles)
      .set({ blockedUntil: new Date(Date.now() - 1) })
      .where(eq(authThrottles.key, key));
    expect(await attempt(email, "the-right-password")).toBe("signed in");
  });

  it("an unknown email is counted like a real one (no difference to learn from)", async () => {
    const email = `nobody-${crypto.randomUUID()}@example.com`;
    for (let i = 0; i < 5; i++) expect(await attempt(email, "guess")).toBe("wrong");
    expect(await attempt(email, "guess")).toBe("throttled");
  });
});

describe("per client address", () => {
  it("50 attempts per 15 minutes, whatever the accounts; the window then starts over", async () => {
    const address = "203.0.113.7";
    const start = new Date("2026-06-01T10:00:00Z");
    for (let i = 0; i < 50; i++) await admitAttempt("sign-in", address, `spray-${i}@example.com`, start);
    const refused = await admitAttempt(
      "sign-in",
      address,
      "spray-x@example.com",
      new Date(start.getTime() + 60_000),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AttemptsThrottled);
    expect((refused as AttemptsThrottled).retryAfterSeconds).toBe(14 * 60);
    // Another address is not affected; the same one is welcome again in the next window.
    await admitAttempt("sign-in", "203.0.113.8", "spray-y@example.com", start);
    await admitAttempt("sign-in", address, "spray-z@example.com", new Date(start.getTime() + 15 * 60_000 + 1));
  });

  it("sign-ups are counted per address on their own", async () => {
    const address = "203.0.113.9";
    const now = new Date("2026-06-01T11:00:00Z");
    for (let i = 0; i < 50; i++) await admitAttempt("sign-up", address, null, now);
    await expect(admitAttempt("sign-up", address, null, now)).rejects.toBeInstanceOf(AttemptsThrottled);
    await admitAttempt("sign-in", address, null, now);
  });
});

describe("the client address", () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  it("is the connection's peer, never a header the client chose, unless a trusted proxy is declared", () => {
    const h = headers({ [PEER_ADDRESS_HEADER]: "198.51.100.1", "x-forwarded-for": "1.2.3.4" });
    expect(clientAddress(h, {})).toBe("198.51.100.1");
    expect(clientAddress(h, { TRUST_PROXY: "true" })).toBe("1.2.3.4");
    // Behind the proxy, the entry it appended (the last) counts, not what the client put first.
    expect(clientAddress(headers({ "x-forwarded-for": "6.6.6.6, 1.2.3.4" }), { TRUST_PROXY: "true" })).toBe("1.2.3.4");
  });

  it("the server stamps each request with its connection's address, over whatever the client sent", async () => {
    stampPeerAddresses();
    stampPeerAddresses(); // twice is harmless
    const server = http.createServer((request, response) => response.end(String(request.headers[PEER_ADDRESS_HEADER])));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_ADDRESS_HEADER]: "6.6.6.6" } });
      expect(await answer.text()).toBe("127.0.0.1");
    } finally {
      server.close();
    }
  });
});
