import bcrypt from "bcryptjs";

const COST = Number(process.env.BCRYPT_COST ?? 10);

export const hashPassword = (password: string) => bcrypt.hash(password, COST);
export const verifyPassword = (password: string, hash: string) => bcrypt.compare(password, hash);

// Compared against when the email is unknown, so that a miss takes as long as a wrong password.
const DUMMY_HASH = "$2b$10$CwTycUXWue0Thq9StjUM0uJ8.0zv5u0pnqFDGzY9bKqVnz9qN5/Z2";
export const burnPasswordCheck = (password: string) => bcrypt.compare(password, DUMMY_HASH);
