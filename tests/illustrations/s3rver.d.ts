// s3rver ships no types; the storage test uses only its constructor, run() and close().
declare module "s3rver";
