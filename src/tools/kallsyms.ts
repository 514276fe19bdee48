// A stand-in for /proc/kallsyms: each kernel function the model names gets a
// stable text address, and each (function, drop reason) call site a stable
// offset in it, so dropwatch and perf print `fn+0x1b4 (0xffffffff81b2c3d4)`
// the same way on every run. The numbers are derived from the names (FNV-1a),
// not taken from a real kernel image.

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The function's start address, 16-byte aligned inside the kernel text (0xffffffff81000000 + up to 16 MiB). */
export function symbolAddr(fn: string): bigint {
  return 0xffffffff81000000n + BigInt((fnv1a(fn) & 0xfffff) << 4);
}

/** The offset of the kfree_skb_reason call for `reason` inside `fn`. */
export function dropSiteOffset(fn: string, reason: number): number {
  return 0x20 + (fnv1a(`${fn}/${reason}`) % 0x3e0);
}

/** `fn+off (0xaddr)` as dropwatch's kallsyms lookup prints a location. */
export function formatSite(fn: string, reason: number): string {
  const off = dropSiteOffset(fn, reason);
  return `${fn}+${off.toString(16)} (0x${(symbolAddr(fn) + BigInt(off)).toString(16)})`;
}
