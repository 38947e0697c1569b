import NextAuth, { type Session } from "next-auth";
import { type NextFetchEvent, type NextRequest, NextResponse } from "next/server";
import { authConfig } from "@/lib/auth/config";
import { isBackgroundRequest, stripSessionRefresh } from "@/lib/auth/session-refresh";
import { contentSecurityPolicy, newNonce } from "@/lib/http/content-security-policy";
import { isCrossSiteAction } from "@/lib/http/cross-site-action";

const { auth } = NextAuth(authConfig);

const publicPaths = ["/sign-in", "/sign-up"];

// With a lazily built configuration, wrapping the handler is itself asynchronous: done once, awaited per request.
const guard = (auth as unknown as (handler: unknown) => Promise<ProxyHandler>)((request: AuthedRequest) => {
  const { pathname, search } = request.nextUrl;
  const isPublic = publicPaths.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  if (!request.auth && !isPublic) {
    const url = new URL("/sign-in", request.nextUrl);
    url.searchParams.set("callbackUrl", `${pathname}${search}`);
    return NextResponse.redirect(url);
  }
  if (request.auth && isPublic) return NextResponse.redirect(new URL("/stories", request.nextUrl));
  return withContentSecurityPolicy(request);
});

/** Lets the page through with a fresh nonce: Next reads it from the request's CSP header for the scripts it renders. */
function withContentSecurityPolicy(request: NextRequest): NextResponse {
  const policy = contentSecurityPolicy(newNonce());
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

/**
 * Auth.js re-issues the session cookie on every request it sees, rolling the expiry forward. A background request
 * in flight while the user signs out would answer after the sign-out and put the cookie back (see
 * lib/auth/session-refresh.ts), so only document loads roll the session.
 */
export default async function proxy(request: NextRequest, event: NextFetchEvent): Promise<Response> {
  if (isCrossSiteAction(request)) {
    return new NextResponse("Forms from other sites are not accepted here.", { status: 403 });
  }
  // auth() is typed for both proxies and route handlers; here it is a proxy.
  const response = (await (await guard)(request, event)) ?? NextResponse.next();
  if (isBackgroundRequest(request.headers)) stripSessionRefresh(response);
  return response;
}

type ProxyHandler = (request: NextRequest, event: NextFetchEvent) => Promise<Response | undefined>;
type AuthedRequest = NextRequest & { auth: Session | null };

export const config = {
  // API routes answer 401 themselves rather than redirecting; static files need no session.
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|jpg|ico|woff2?)$).*)"],
};
