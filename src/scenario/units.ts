// Quantities in scenario files: times (`500ms`), bit rates (`10Gbit`), byte
// sizes (`10kB`, `1MiB`). Each parser returns null for malformed text.

export { parseTime } from '../model/time.js';

const RATE_UNITS: Record<string, number> = {
  bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, tbit: 1e12,
  bps: 1, kbps: 1e3, mbps: 1e6, gbps: 1e9, tbps: 1e12,
};

/** `10Gbit`, `100Mbit`, `1Gbps` → bits per second (tc's units; bps here means bits). */
export function parseRate(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]+)$/.exec(text.trim());
  if (!m) return null;
  const u = RATE_UNITS[m[2]!.toLowerCase()];
  return u === undefined ? null : Number(m[1]) * u;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

/** `10kB` → 10000, `1MiB` → 1048576, `1500` → 1500. */
export function parseSize(text: string | number): number | null {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 ? text : null;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return null;
  const u = m[2] ? SIZE_UNITS[m[2].toLowerCase()] : 1;
  if (u === undefined) return null;
  const v = Number(m[1]) * u;
  return Number.isInteger(v) ? v : Math.round(v);
}
