/** A tiny seeded generator (32-bit LCG) for randomized tests: a failing seed reproduces exactly. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
