// The conntrack garbage collector (nf_conntrack_core.c `gc_worker`), a delayed
// work item rescheduled from the average remaining timeout of the entries it
// sees. Once a table-full drop has flagged `early_drop` and the count is above
// 95% of nf_conntrack_max, it also kills unassured entries and TCP entries in
// closing states.
//
// GC granularity: an entry is reaped by the first gc run after it expires (or
// earlier, lazily, when a lookup walks over it). Runs are at most
// GC_SCAN_INTERVAL_MAX (60 s) apart, so an expired entry lingers up to 60 s,
// and at least 1 s apart while entries with short timeouts exist.
//
// The kernel bounds a run by wall time (10 ms); the model charges
// GC_NS_PER_BUCKET and GC_NS_PER_ENTRY of simulated time per bucket and entry
// visited [approx], so a 262144-bucket table takes ~2.6 ms and one run covers it.

import { IPPROTO } from '../../model/skb.js';
import { IPS } from '../nf_conntrack_common.js';
import { Ct, nextPastOwn } from './nf_conn.js';
import { HZ, jiffiesOf, nsOfJiffies } from './nf_conntrack_tuple.js';
import type { Conntrack } from './nf_conntrack_core.js';

export const GC_SCAN_INTERVAL_MAX = 60 * HZ;
export const GC_SCAN_INTERVAL_MIN = 1 * HZ;
/** Clamp of the per-entry timeout used for the average (the TCP unacked timeout). */
export const GC_SCAN_INTERVAL_CLAMP = 300 * HZ;
/** Initial bias: pretend 100 entries at the upper bound. */
export const GC_SCAN_INITIAL_COUNT = 100;
export const GC_SCAN_INTERVAL_INIT = GC_SCAN_INTERVAL_MAX;
/** msecs_to_jiffies(10) at HZ=250 rounds up to 3 jiffies. */
export const GC_SCAN_MAX_DURATION = Math.ceil((10 * HZ) / 1000);
export const GC_SCAN_EXPIRED_MAX = Math.floor(64000 / HZ);

/** Simulated cost of visiting a bucket and an entry during a gc run [approx]. */
export const GC_NS_PER_BUCKET = 10;
export const GC_NS_PER_ENTRY = 40;

/** struct conntrack_gc_work, plus a generation to cancel queued runs. */
export interface GcWork {
  nextBucket: number;
  avgTimeout: number;
  count: number;
  startTime: number;
  earlyDrop: boolean;
  gen: number;
  running: boolean;
}

/** gc_worker_can_early_drop of the entry at `b`, from its record. */
function canEarlyDrop(w: Int32Array, b: number, l4CanEarlyDrop: (tcpState: number) => boolean): boolean {
  if (!(w[b + Ct.STATUS]! & IPS.ASSURED)) return true;
  return w[b + Ct.PROTO] === IPPROTO.TCP && l4CanEarlyDrop(w[b + Ct.TCP_STATE]!);
}

/** One gc_worker run at the scheduler's current time; returns when (ns) the next run is due. */
export function gcWorkerRun(ct: Conntrack, l4CanEarlyDrop: (tcpState: number) => boolean): number {
  const gc = ct.gc;
  const t0 = ct.sched.now;
  let elapsedNs = 0;
  const stamp = (): number => jiffiesOf(t0 + elapsedNs);
  const startTime = jiffiesOf(t0);
  let i = gc.nextBucket;
  const max95 = gc.earlyDrop ? Math.floor(ct.sysctl.nf_conntrack_max / 100) * 95 : 0;
  if (i === 0) {
    gc.avgTimeout = GC_SCAN_INTERVAL_INIT;
    gc.count = GC_SCAN_INITIAL_COUNT;
    gc.startTime = startTime;
  }
  let nextRun = gc.avgTimeout;
  let count = gc.count;
  const endTime = startTime + GC_SCAN_MAX_DURATION;
  let expiredCount = 0;
  const hashsz = ct.htableSize;
  let earlyExit = false;

  outer: do {
    if (i >= hashsz) break;
    const now = stamp();
    const w = ct.store.words;
    let n = ct.heads[i]!;
    while (n !== Ct.NULLS) {
      const b = (n >> 1) << Ct.SHIFT;
      let next = w[b + Ct.NEXT + (n & 1)]!;
      elapsedNs += GC_NS_PER_ENTRY;
      if (expiredCount > GC_SCAN_EXPIRED_MAX) {
        gc.nextBucket = i;
        gc.avgTimeout = nextRun;
        gc.count = count;
        // Re-schedule immediately if the total cycle time is not exceeded.
        nextRun = stamp() - gc.startTime < GC_SCAN_INTERVAL_MAX ? 1 : 0;
        earlyExit = true;
        break outer;
      }
      const left = (w[b + Ct.TIMEOUT]! - now) | 0;
      if (left <= 0) {
        next = nextPastOwn(w, n, next);
        ct.gcExpired(b);
        expiredCount++;
        n = next;
        continue;
      }
      let expires = Math.min(Math.max(left, GC_SCAN_INTERVAL_MIN), GC_SCAN_INTERVAL_CLAMP);
      expires = Math.trunc((expires - nextRun) / ++count);
      nextRun += expires;

      const status = w[b + Ct.STATUS]!;
      if (max95 !== 0 && status & IPS.CONFIRMED && !(status & IPS.DYING) && ct.count >= max95) {
        if (canEarlyDrop(w, b, l4CanEarlyDrop)) {
          next = nextPastOwn(w, n, next);
          ct.kill(ct.store.view(b));
          expiredCount++;
        }
      }
      n = next;
    }
    i++;
    elapsedNs += GC_NS_PER_BUCKET;
    if (stamp() - endTime > 0 && i < hashsz) {
      gc.avgTimeout = nextRun;
      gc.count = count;
      gc.nextBucket = i;
      nextRun = 0;
      earlyExit = true;
      break;
    }
  } while (i < hashsz);

  if (!earlyExit) {
    gc.nextBucket = 0;
    nextRun = Math.min(Math.max(nextRun, GC_SCAN_INTERVAL_MIN), GC_SCAN_INTERVAL_MAX);
    const delta = Math.max(stamp() - gc.startTime, 1);
    nextRun = nextRun > delta ? nextRun - delta : 1;
  }
  if (nextRun !== 0) gc.earlyDrop = false;
  return t0 + elapsedNs + nsOfJiffies(nextRun);
}
