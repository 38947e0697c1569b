import { describeRegistry, type RegistryView } from "@/lib/ai";
import type { Actor } from "./actor";
import { requireAdmin } from "./access";

/**
 * The model registry as admins see it (NOT_FOUND for anyone else): read-only, since it is configured by a file and
 * the environment. An entry shows the name of the variable holding its key and whether it is set, never the key.
 */
export function getModelRegistryView(actorOrNull: Actor | null): RegistryView {
  requireAdmin(actorOrNull);
  return describeRegistry();
}
