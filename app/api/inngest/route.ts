import { serve } from "inngest/next";
import { serveOptions } from "@/lib/inngest/serve";
import { functions } from "./functions";

// The Inngest serve endpoint: the embedded engine (or Inngest) calls it to register and run the app's functions.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, POST, PUT } = serve(serveOptions(functions));
