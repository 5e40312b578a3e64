/** QEMU's migration units, converted in one place. */

const MIB = 1024 * 1024;

/** query-migrate's `mbps` is megabits (10^6 bits) per second. */
export function mbpsToBytesPerS(mbps: number): number {
  return (mbps * 1_000_000) / 8;
}

/** `dirty-pages-rate` is pages per second; `page-size` is bytes. */
export function dirtyPagesRateToBytesPerS(pagesPerS: number, pageSizeBytes: number): number {
  return pagesPerS * pageSizeBytes;
}

/** query-dirty-rate's `dirty-rate` says "MB/s" but QEMU computes it in MiB (block size >> 20). */
export function dirtyRateMibToBytesPerS(mibPerS: number): number {
  return mibPerS * MIB;
}

export function formatBytesPerS(bytesPerS: number): string {
  if (bytesPerS >= MIB) return `${round(bytesPerS / MIB)} MiB/s`;
  if (bytesPerS >= 1024) return `${round(bytesPerS / 1024)} KiB/s`;
  return `${Math.round(bytesPerS)} B/s`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${round(bytes / MIB)} MiB`;
  if (bytes >= 1024) return `${round(bytes / 1024)} KiB`;
  return `${Math.round(bytes)} B`;
}

function round(value: number): string {
  return value >= 10 ? String(Math.round(value)) : value.toFixed(1);
}
