import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTypescript,
  {
    // Packages cannot import our files back: not parsing them keeps import/no-cycle fast.
    settings: { "import/ignore": ["node_modules"] },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // File-level cycles; scripts/check-folder-cycles.ts checks the folders of lib/. `@/` paths
      // resolve through eslint-config-next's TypeScript resolver.
      "import/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    // Infrastructure every domain builds on: it must not reach back into one (handlers and job
    // kinds are wired in lib/composition).
    files: ["lib/jobs/**", "lib/net/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(@/lib/(?!(config|db|runtime)(/|$))|\\.\\./)",
              message: "lib/jobs and lib/net may only import lib/config, lib/db and lib/runtime.",
            },
          ],
        },
      ],
    },
  },
  { ignores: [".next/**", ".data/**", ".test-data/**", "node_modules/**", "drizzle/**", "next-env.d.ts"] },
];

export default config;
