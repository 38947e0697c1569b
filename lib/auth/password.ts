import bcrypt from "bcryptjs";

const COST = Number(process.env.BCRYPT_COST ?? 10);

export const hashPassword = (password: string) => bcrypt.hash(password, COST);
export const verifyPassword = (password: string, hash: string) => bcrypt.compare(password, hash);

// Compared against when the email is unknown, so that a miss takes as long as a wrong password: hashed with the
// same cost as real hashes, whatever BCRYPT_COST is.
let dummyHash: Promise<string> | undefined;
export const burnPasswordCheck = async (password: string) => {
  dummyHash ??= bcrypt.hash("story-sprout-no-such-user", COST);
  return bcrypt.compare(password, await dummyHash);
};
