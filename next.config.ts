import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Database drivers load native/wasm assets at run time; bundling them breaks that.
  // drizzle-orm stays external too, so server.ts and the route bundles share one copy.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@neondatabase/serverless", "ws", "drizzle-orm"],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
