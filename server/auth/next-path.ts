/**
 * Only same-site relative paths may be a post-login target: "/hosts/1" yes; "//evil.example",
 * "https://evil.example", "/\\evil" no (open-redirect protection).
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || typeof next !== "string") return "/";
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f]/.test(next)) return "/";
  return next;
}
