import crypto from "node:crypto";

// ULIDs: 48-bit millisecond time + 80 bits of entropy in Crockford base32. Sortable by creation time, which keeps
// run and event listings in order without an extra column.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ENTROPY_MOD = 1n << 80n;

function encode(time: number, entropy: bigint): string {
  let out = "";
  let t = Math.max(0, Math.floor(time));
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  let e = entropy;
  let tail = "";
  for (let i = 0; i < 16; i++) {
    tail = ALPHABET[Number(e % 32n)]! + tail;
    e /= 32n;
  }
  return out + tail;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

export function ulid(time = Date.now()): string {
  return encode(time, bytesToBigInt(crypto.randomBytes(10)));
}

/**
 * `inngest.send()` sends `x-inngest-event-id-seed: "<ms>,<base64 of 10 random bytes>"` and reuses the seed when it
 * retries a failed send. Deriving the ids from seed + index makes a retried send produce the same ids, so the
 * events are recognised as already received instead of starting runs twice.
 */
export function seededUlid(seed: string | null | undefined, index: number): string | null {
  if (!seed) return null;
  const [msText, entropyText] = seed.split(",");
  const ms = Number(msText);
  if (!Number.isFinite(ms) || ms <= 0 || !entropyText) return null;
  const entropy = Buffer.from(entropyText, "base64");
  if (entropy.length !== 10) return null;
  return encode(ms, (bytesToBigInt(entropy) + BigInt(index)) % ENTROPY_MOD);
}

/** A stable ULID for a value (e.g. a cron tick), so creating it twice collides instead of duplicating. */
export function hashedUlid(time: number, value: string): string {
  const digest = crypto.createHash("sha256").update(value).digest();
  return encode(time, bytesToBigInt(digest.subarray(0, 10)));
}

export function ulidTime(id: string): number {
  let t = 0;
  for (const ch of id.slice(0, 10)) t = t * 32 + ALPHABET.indexOf(ch);
  return t;
}
