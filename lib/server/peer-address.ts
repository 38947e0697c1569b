import http from "node:http";
import https from "node:https";
import { PEER_ADDRESS_HEADER } from "@/lib/auth/client-address";

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
const stamped = Symbol.for("story-sprout.peer-address-stamped");

/**
 * Stamps every incoming request with its connection's peer address before Next sees it (Next gives server actions
 * and route handlers no access to the socket). Patches the servers' `emit` once per process, for servers created
 * before or after this call.
 */
export function stampPeerAddresses(): void {
  for (const Server of [http.Server, https.Server]) {
    const prototype = Server.prototype as unknown as { emit: Emit; [stamped]?: true };
    if (prototype[stamped]) continue;
    const emit = prototype.emit;
    prototype.emit = function (this: unknown, event, ...args) {
      if (event === "request") {
        const request = args[0] as http.IncomingMessage;
        request.headers[PEER_ADDRESS_HEADER] = request.socket?.remoteAddress ?? "";
      }
      return emit.call(this, event, ...args);
    };
    prototype[stamped] = true;
  }
}
