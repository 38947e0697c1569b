/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WebAssembly and data files relative to its own module: keep it (and the drivers) unbundled.
  // resvg is a native addon (the offline illustrator), loaded by Node rather than bundled.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "bcryptjs", "@resvg/resvg-js"],
  poweredByHeader: false,
  // Sent with every answer, pages and API alike; each page's Content-Security-Policy (with its nonce) comes from proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
