/**
 * Intel/AMD CAT capacity bitmasks (resctrl schemata values), pure validation. The kernel refuses a mask
 * outside info/<res>/cbm_mask, with fewer than min_cbm_bits set, or non-contiguous unless
 * info/<res>/sparse_masks reads 1 (Intel requires contiguous ways; AMD and newer kernels may allow sparse).
 */

export interface CbmLimits {
  /** info/<res>/cbm_mask, hex: every way the resource has */
  cbmMask: string;
  /** info/<res>/min_cbm_bits */
  minCbmBits: number;
  /** info/<res>/sparse_masks = 1 (file absent on older kernels: contiguous required) */
  sparseAllowed: boolean;
}

const HEX = /^[0-9a-fA-F]{1,16}$/;

export function parseHexMask(text: string): bigint | null {
  const t = text.trim().replace(/^0x/i, "");
  return HEX.test(t) ? BigInt(`0x${t}`) : null;
}

function popcount(v: bigint): number {
  let n = 0;
  for (let x = v; x > 0n; x >>= 1n) if (x & 1n) n += 1;
  return n;
}

function isContiguous(v: bigint): boolean {
  if (v === 0n) return true;
  let x = v;
  while ((x & 1n) === 0n) x >>= 1n;
  return (x & (x + 1n)) === 0n;
}

/** Why the kernel would refuse this mask, or null when it is valid. */
export function cbmProblem(mask: string, limits: CbmLimits): string | null {
  const v = parseHexMask(mask);
  if (v === null) return `mask "${mask.slice(0, 20)}" is not a hex bitmask`;
  const full = parseHexMask(limits.cbmMask);
  if (full === null) return `cbm_mask "${limits.cbmMask.slice(0, 20)}" is not a hex bitmask`;
  if ((v & ~full) !== 0n) return `mask ${mask} sets ways outside cbm_mask ${limits.cbmMask}`;
  const bits = popcount(v);
  if (bits < Math.max(1, limits.minCbmBits)) return `mask ${mask} has ${bits} way(s) set; this CPU needs at least ${Math.max(1, limits.minCbmBits)} (min_cbm_bits)`;
  if (!limits.sparseAllowed && !isContiguous(v)) return `mask ${mask} is not contiguous; this CPU requires contiguous ways (sparse_masks = 0)`;
  return null;
}

/** Masks compare by value: the kernel prints "7ff" for a written "07FF". */
export function sameMask(a: string, b: string): boolean {
  const x = parseHexMask(a);
  const y = parseHexMask(b);
  return x !== null && x === y;
}
