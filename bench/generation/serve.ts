import http from "node:http";
import type { AddressInfo } from "node:net";
import type { InngestFunction } from "inngest";
import { serve } from "inngest/node";
import { serveOptions } from "@/lib/inngest/serve";

/** The app's functions behind the real `serve()` handler (inngest/node), on an ephemeral loopback port. */
export async function serveOnLoopback(
  functions: InngestFunction.Any[],
): Promise<{ url: string; close(): Promise<void> }> {
  const handler = serve(serveOptions(functions));
  const server = http.createServer((req, res) => {
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/inngest`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
