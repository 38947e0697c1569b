import type { InngestFunction } from "inngest";

/**
 * Every Inngest function the app serves (app/api/inngest/route.ts). Functions use only the public SDK
 * (`inngest.createFunction`, `step.*`); see docs/ENGINE.md for what the embedded engine supports.
 */
export const functions: InngestFunction.Any[] = [];
