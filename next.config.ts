import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Database drivers load native/wasm assets at run time; bundling them breaks that.
  // drizzle-orm stays external too, so server.ts and the route bundles share one copy; unpdf loads
  // its PDF.js build at run time.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@neondatabase/serverless", "ws", "drizzle-orm", "unpdf"],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
  experimental: {
    // `PROFILE_BUILD=1 next build` keeps server function names, so CPU profiles read (bench/README.md).
    serverMinification: process.env.PROFILE_BUILD !== "1",
    // Loading every page's and route's code at start holds ~250 MB for routes a process may never
    // serve; each loads on its first request instead.
    preloadEntriesOnStart: false,
    // The dashboard's document upload posts the file to a server action: room for a document of
    // KNOWLEDGE_MAX_DOCUMENT_BYTES' default (1 MB) and its form around it.
    serverActions: { bodySizeLimit: "2mb" },
  },
};

export default nextConfig;
