import { dictionary } from "@zxcvbn-ts/language-common";

/*
 * The most common passwords are the first ones a guessing attacker tries, whatever the length rule says. The list is
 * zxcvbn-ts's ranked list of leaked passwords (bundled with the package: nothing is fetched at run time); only entries
 * a sign-up could pass the length rule with are kept. Compared case-insensitively: "Password1" is as weak as
 * "password1".
 */
let common: Set<string> | undefined;

export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary["passwords-common"].filter((p) => p.length >= 8).map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}
