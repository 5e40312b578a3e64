import nextVitals from "eslint-config-next/core-web-vitals";
import tseslint from "typescript-eslint";

const config = [
  { ignores: [".next/**", ".next-*/**", "node_modules/**", "dist/**", "server/generated/**", "next-env.d.ts", "agent/fixtures/**"] },
  ...nextVitals,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // One-way imports (docs/architecture.md). Later blocks override earlier ones for the same file.
  ...importBoundaries(),
];

function importBoundaries() {
  const rule = (...patterns) => ({ "@typescript-eslint/no-restricted-imports": ["error", { patterns }] });
  const layer = (name, message) => ({ regex: `(^@/|(^|/)\\.\\./)server/(${name})(/|$)`, message });
  const nodeIo = {
    regex: "^(node:)?(fs|fs/promises|child_process|net|dgram|http|https|http2|tls|worker_threads|cluster|os|readline)$|^(pg|@prisma/.*|next(/.*)?|@trpc/.*|server-only)$",
    message: "server/domain is pure: no node I/O, database, Next or tRPC (do I/O in server/repo or server/services).",
  };
  const notDomain = layer("repo|services|api|cli|db|db-bootstrap|auth|generated|ingest-server|env|bench", "server/domain must not import this layer");
  const notAgent = { regex: "(^@/|(^|/)\\.\\./)agent/", message: "server/domain never imports the agent (the agent imports the domain)" };
  return [
    { files: ["server/domain/**/*.ts"], rules: rule(notDomain, notAgent, layer("test", "test helpers are for tests"), nodeIo) },
    // Domain tests may read fixture files, use the test helpers and build snapshots with the agent's collectors.
    { files: ["server/domain/**/*.test.ts"], rules: rule(notDomain) },
    {
      files: ["agent/**/*.ts"],
      rules: {
        "@typescript-eslint/no-restricted-imports": [
          "error",
          {
            patterns: [
              { regex: "(^@/|(^|/)\\.\\./)server/api/root$", allowTypeImports: true, message: "the agent may import only the AppRouter type" },
              {
                regex: "(^@/|(^|/)\\.\\./)server/(?!contract/|domain/|api/root$)",
                message: "the agent imports only server/contract and pure server/domain",
              },
              { regex: "(^@/|(^|/)\\.\\./)app/", message: "the agent never imports app/" },
            ],
          },
        ],
      },
    },
    // Tests that run the agent against a real server wire both sides together on purpose.
    { files: ["agent/**/*.integration.test.ts"], rules: { "@typescript-eslint/no-restricted-imports": "off" } },
    {
      files: ["app/**/*.ts", "app/**/*.tsx"],
      rules: rule(layer("repo|services|db|db-bootstrap|generated", "app/ reaches data only through tRPC (server/api/root's caller or the client)")),
    },
    { files: ["server/repo/**/*.ts"], rules: rule(layer("services|api|cli", "server/repo is queries only: it must not import services, api or cli")) },
    { files: ["server/services/**/*.ts"], rules: rule(layer("api|cli", "server/services must not import api or cli")) },
    // Playwright fixtures call their `use` callback; it is not React's use().
    { files: ["e2e/**/*.ts"], rules: { "react-hooks/rules-of-hooks": "off" } },
  ];
}

export default config;
