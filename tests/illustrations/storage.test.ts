import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { databaseImageStore, s3ImageStore, s3SettingsFromEnv, type ImageStore } from "@/lib/ai";
import { useTestDb } from "../helpers/db";
import { samplePng, useS3rver } from "./helpers";

useTestDb();

async function roundTrip(store: ImageStore) {
  const key = `illustrations/test/${crypto.randomUUID()}.png`;
  expect(await store.get(key)).toBeNull();
  await store.put(key, samplePng(), "image/png");
  // A repeated step writes the same key again: no error, same bytes.
  await store.put(key, samplePng(), "image/png");
  const stored = await store.get(key);
  expect(stored?.contentType).toBe("image/png");
  expect(Buffer.from(stored!.bytes).equals(Buffer.from(samplePng()))).toBe(true);
  await store.delete(key);
  expect(await store.get(key)).toBeNull();
}

describe("image storage", () => {
  it("the database store (bytea) writes, reads and deletes by key", async () => {
    await roundTrip(databaseImageStore(await getDb()));
  });

  it("the database refuses a row whose type is not an image type or whose size is not its bytes'", async () => {
    const db = await getDb();
    const { storedImages } = await import("@/db/illustrations-schema");
    await expect(
      db
        .insert(storedImages)
        .values({ key: "x/1.svg", bytes: new Uint8Array([1]), contentType: "image/svg+xml" as never, byteSize: 1 }),
    ).rejects.toThrow();
    await expect(
      db
        .insert(storedImages)
        .values({ key: "x/2.png", bytes: new Uint8Array([1, 2]), contentType: "image/png", byteSize: 5 }),
    ).rejects.toThrow();
  });

  it("S3 settings come from IMAGE_S3_* (none without a bucket)", () => {
    expect(s3SettingsFromEnv({})).toBeNull();
    expect(s3SettingsFromEnv({ IMAGE_S3_BUCKET: "pics", IMAGE_S3_ENDPOINT: "http://127.0.0.1:9000" })).toMatchObject({
      bucket: "pics",
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      prefix: "",
    });
  });

  describe("the S3-compatible store, against s3rver (a local stand-in)", () => {
    const s3 = useS3rver();

    it("writes, reads and deletes by key under the prefix", async () => {
      await roundTrip(
        s3ImageStore({
          bucket: "illustrations",
          endpoint: s3.endpoint,
          region: "us-east-1",
          accessKeyId: "S3RVER",
          secretAccessKey: "S3RVER",
          prefix: "sprout/",
        }),
      );
    });
  });
});
