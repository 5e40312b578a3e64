import nextVitals from "eslint-config-next/core-web-vitals";
import tseslint from "typescript-eslint";

/**
 * no-restricted-imports sees `import`/`export … from` only: this applies the same patterns to
 * `import("…")` and `require("…")` with a literal specifier (the agent loads its commands that way).
 */
const noRestrictedDynamicImports = {
  meta: { type: "problem", schema: [{ type: "object", properties: { patterns: { type: "array" } } }] },
  create(context) {
    const patterns = (context.options[0]?.patterns ?? []).map((p) => ({ re: new RegExp(p.regex, "iu"), message: p.message }));
    const specifier = (n) =>
      n?.type === "Literal" && typeof n.value === "string" ? n.value
      : n?.type === "TemplateLiteral" && n.expressions.length === 0 ? n.quasis[0].value.cooked
      : null;
    const check = (node, source) => {
      const spec = specifier(source);
      const hit = spec === null ? undefined : patterns.find((p) => p.re.test(spec));
      if (hit) context.report({ node, message: `'${spec}' import is restricted from being used by a pattern. ${hit.message}` });
    };
    return {
      ImportExpression: (node) => check(node, node.source),
      CallExpression: (node) => {
        if (node.callee.type === "Identifier" && node.callee.name === "require") check(node, node.arguments[0]);
      },
    };
  },
};

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
  { plugins: { boundaries: { rules: { "no-restricted-dynamic-imports": noRestrictedDynamicImports } } } },
  ...importBoundaries(),
];

function importBoundaries() {
  const rule = (...patterns) => ({
    "@typescript-eslint/no-restricted-imports": ["error", { patterns }],
    "boundaries/no-restricted-dynamic-imports": ["error", { patterns }],
  });
  const off = { "@typescript-eslint/no-restricted-imports": "off", "boundaries/no-restricted-dynamic-imports": "off" };
  // `@/server/<layer>` or `…/server/<layer>`; inside server/ also the relative form (`../../repo/…`),
  // which names no `server/` (no server layer folder shares its name with a folder below it).
  const layer = (name, message, { relative = true } = {}) => ({
    regex: `(^@/|(^|/)\\.\\./)server/(${name})(/|$)` + (relative ? `|^(\\.\\./)+(${name})(/|$)` : ""),
    message,
  });
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
      rules: rule(
        { regex: "(^@/|(^|/)\\.\\./)server/api/root$", allowTypeImports: true, message: "the agent may import only the AppRouter type" },
        { regex: "(^@/|(^|/)\\.\\./)server/(?!contract/|domain/|api/root$)", message: "the agent imports only server/contract and pure server/domain" },
        { regex: "(^@/|(^|/)\\.\\./)app/", message: "the agent never imports app/" },
      ),
    },
    // Tests that run the agent against a real server wire both sides together on purpose.
    { files: ["agent/**/*.integration.test.ts"], rules: off },
    {
      files: ["app/**/*.ts", "app/**/*.tsx"],
      rules: rule(
        layer("repo|services|db|db-bootstrap|generated", "app/ reaches data only through tRPC (server/api/root's caller or the client)", { relative: false }),
        { regex: "^(pg|@prisma/.*)$", message: "app/ reaches data only through tRPC (server/api/root's caller or the client)" },
      ),
    },
    { files: ["server/repo/**/*.ts"], rules: rule(layer("services|api|cli", "server/repo is queries only: it must not import services, api or cli")) },
    { files: ["server/services/**/*.ts"], rules: rule(layer("api|cli", "server/services must not import api or cli")) },
    // Playwright fixtures call their `use` callback; it is not React's use().
    { files: ["e2e/**/*.ts"], rules: { "react-hooks/rules-of-hooks": "off" } },
  ];
}

export default config;
