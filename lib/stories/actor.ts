import type { UserRole } from "@/db/schema";
import { AppError } from "@/lib/errors";

/** Who is asking. `null` is an anonymous visitor. */
export interface Actor {
  id: string;
  role: UserRole;
}

export function requireActor(actor: Actor | null | undefined): Actor {
  if (!actor) throw new AppError("UNAUTHENTICATED");
  return actor;
}
