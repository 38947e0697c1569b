import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { storedImages, type ImageContentType, type ImageStorageKind } from "@/db/illustrations-schema";

/** Bytes as a store hands them back, with the type recorded at write time (the server sniffs again anyway). */
export interface StoredImageBytes {
  bytes: Uint8Array;
  contentType: string;
}

/**
 * Where image bytes live. Keys are written once and never reused (an illustration's id is in its key), so a store
 * needs no update, and a `put` that runs twice (a repeated step) writes the same bytes again.
 */
export interface ImageStore {
  readonly kind: ImageStorageKind;
  put(key: string, bytes: Uint8Array, contentType: ImageContentType): Promise<void>;
  get(key: string): Promise<StoredImageBytes | null>;
  delete(key: string): Promise<void>;
}

/** The embedded default: a bytea row per image in the app's own database. */
export function databaseImageStore(db: Db): ImageStore {
  return {
    kind: "database",
    async put(key, bytes, contentType) {
      await db
        .insert(storedImages)
        .values({ key, bytes, contentType, byteSize: bytes.byteLength })
        .onConflictDoNothing({ target: storedImages.key });
    },
    async get(key) {
      const [row] = await db
        .select({ bytes: storedImages.bytes, contentType: storedImages.contentType })
        .from(storedImages)
        .where(eq(storedImages.key, key))
        .limit(1);
      return row ?? null;
    },
    async delete(key) {
      await db.delete(storedImages).where(eq(storedImages.key, key));
    },
  };
}

export interface S3Settings {
  bucket: string;
  /** An S3-compatible server (MinIO, R2, a local stand-in); unset means AWS itself. */
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Object keys are prefixed with it (several apps may share a bucket). */
  prefix: string;
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
}

/** An S3-compatible bucket (path-style addressing when an endpoint is given, as MinIO and stand-ins expect). */
export function s3ImageStore(settings: S3Settings): ImageStore {
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
  });
  const objectKey = (key: string) => `${settings.prefix}${key}`;
  return {
    kind: "s3",
    async put(key, bytes, contentType) {
      await client.send(
        new PutObjectCommand({ Bucket: settings.bucket, Key: objectKey(key), Body: bytes, ContentType: contentType }),
      );
    },
    async get(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: objectKey(key) }));
        if (!answer.Body) return null;
        return {
          bytes: await answer.Body.transformToByteArray(),
          contentType: answer.ContentType ?? "application/octet-stream",
        };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: objectKey(key) }));
    },
  };
}

type Env = Record<string, string | undefined>;

/** The S3 settings from the environment, or null when no bucket is configured (the database store is used). */
export function s3SettingsFromEnv(env: Env = process.env): S3Settings | null {
  const bucket = env.IMAGE_S3_BUCKET?.trim();
  if (!bucket) return null;
  return {
    bucket,
    endpoint: env.IMAGE_S3_ENDPOINT?.trim() || undefined,
    region: env.IMAGE_S3_REGION?.trim() || "us-east-1",
    accessKeyId: env.IMAGE_S3_ACCESS_KEY_ID?.trim() || undefined,
    secretAccessKey: env.IMAGE_S3_SECRET_ACCESS_KEY?.trim() || undefined,
    prefix: env.IMAGE_S3_PREFIX?.trim() ?? "",
  };
}

const s3Stores = new Map<string, ImageStore>();

/** The store new images go to: S3 when a bucket is configured, the database otherwise. */
export function imageStoreForWrites(db: Db, env: Env = process.env): ImageStore {
  const settings = s3SettingsFromEnv(env);
  if (!settings) return databaseImageStore(db);
  const id = JSON.stringify(settings);
  let store = s3Stores.get(id);
  if (!store) {
    store = s3ImageStore(settings);
    s3Stores.set(id, store);
  }
  return store;
}

/**
 * The store that holds an image written earlier, by the kind its row recorded; null when that kind is no longer
 * configured (an S3 image after the bucket settings were removed).
 */
export function imageStoreOfKind(db: Db, kind: ImageStorageKind, env: Env = process.env): ImageStore | null {
  if (kind === "database") return databaseImageStore(db);
  return s3SettingsFromEnv(env) ? imageStoreForWrites(db, env) : null;
}
