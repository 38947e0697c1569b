import NextAuth from "next-auth";
import { NextResponse } from "next/server";
import { authConfig } from "@/lib/auth/config";

const { auth } = NextAuth(authConfig);

const publicPaths = ["/sign-in", "/sign-up"];

export default auth((request) => {
  const { pathname, search } = request.nextUrl;
  const isPublic = publicPaths.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  if (!request.auth && !isPublic) {
    const url = new URL("/sign-in", request.nextUrl);
    url.searchParams.set("callbackUrl", `${pathname}${search}`);
    return NextResponse.redirect(url);
  }
  if (request.auth && isPublic) return NextResponse.redirect(new URL("/stories", request.nextUrl));
  return NextResponse.next();
});

export const config = {
  // API routes answer 401 themselves rather than redirecting; static files need no session.
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|jpg|ico|woff2?)$).*)"],
};
