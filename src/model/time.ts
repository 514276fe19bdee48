// Simulated time is an integer count of nanoseconds held in a JS number
// (exact up to 2^53 ns, about 104 days of simulated time).

export type Nanos = number;

export const NSEC_PER_USEC = 1_000;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_SEC = 1_000_000_000;

/** CONFIG_HZ of the reference VM: the kernel's timers and timeouts count jiffies of 4 ms. */
export const HZ = 250;
export const NSEC_PER_JIFFY = NSEC_PER_SEC / HZ;

/** The jiffies counter at simulated time `ns` (it starts at 0 with the simulation). */
export function jiffiesOf(ns: Nanos): number {
  return Math.floor(ns / NSEC_PER_JIFFY);
}

/** A duration of `ns` in whole jiffies, rounded up as usecs_to_jiffies and msecs_to_jiffies round. */
export function jiffiesCeilOf(ns: Nanos): number {
  return Math.ceil(ns / NSEC_PER_JIFFY);
}

/** Nanoseconds at which the jiffies counter reaches `j`. */
export function nsOfJiffies(j: number): Nanos {
  return j * NSEC_PER_JIFFY;
}

const UNITS: Record<string, number> = {
  ns: 1,
  us: NSEC_PER_USEC,
  µs: NSEC_PER_USEC,
  ms: NSEC_PER_MSEC,
  s: NSEC_PER_SEC,
  m: 60 * NSEC_PER_SEC,
};

const TIME_RE = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m)$/;

/** Parses `500ms`, `2s`, `10us`, `750ns` into nanoseconds; returns null if malformed. */
export function parseTime(text: string): Nanos | null {
  const m = TIME_RE.exec(text.trim());
  if (!m) return null;
  const ns = Number(m[1]) * UNITS[m[2]!]!;
  return Number.isFinite(ns) ? Math.round(ns) : null;
}

/** Formats nanoseconds the way a person reads a timeline: `1.234567 ms`. */
export function formatTime(ns: Nanos): string {
  if (ns < NSEC_PER_USEC) return `${ns} ns`;
  if (ns < NSEC_PER_MSEC) return `${(ns / NSEC_PER_USEC).toFixed(3)} us`;
  if (ns < NSEC_PER_SEC) return `${(ns / NSEC_PER_MSEC).toFixed(6)} ms`;
  return `${(ns / NSEC_PER_SEC).toFixed(9)} s`;
}

/** Fixed-width seconds with microseconds, as the journey's time column: `0.001234567`. */
export function formatSeconds(ns: Nanos): string {
  return (ns / NSEC_PER_SEC).toFixed(9);
}
