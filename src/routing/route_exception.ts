// Learned path MTUs: the per-destination route exceptions (struct
// fib_nh_exception, "fnhe") that ICMP 3/4 creates through __ip_rt_update_pmtu
// (net/ipv4/route.c), and how `ip route get` prints one.
//
// API (one PmtuCache per host; sysctls as plain fields):
//   cache.update(daddr, mtu, devMtu, now)   __ip_rt_update_pmtu; returns the mtu in effect
//   cache.pathMtu(daddr, devMtu, now)       ipv4_mtu: the exception's mtu if live, else devMtu
//   cache.lookup(daddr, now)                the live exception or null
//   cache.list(now)                         live exceptions by destination (ip route show cache)
//   formatRouteCacheLine(exc, now)          line 2 of `ip route get`: "    cache expires 599sec mtu 1300 "
//
// Expiry is lazy and exact in simulated time: an exception whose `expires`
// has passed is removed on the next lookup (find_exception does the same), so
// no timer is needed. Time is kept in jiffies (HZ=250 on the reference VM) so
// the printed seconds truncate as iproute2's do.

import { HZ, jiffiesOf as jiffies, type Nanos } from '../model/time.js';

/** USER_HZ: the clock_t unit of RTA_CACHEINFO. */
const USER_HZ = 100;
/** net.ipv4.route.mtu_expires default, seconds. */
export const IP_RT_MTU_EXPIRES = 600;
/** net.ipv4.route.min_pmtu default (512 + 20 + 20). */
export const IP_RT_MIN_PMTU = 552;

export interface RouteException {
  daddr: number;
  mtu: number;
  /** RTAX_MTU locked: the value came from below min_pmtu and may not change until expiry. */
  locked: boolean;
  /** Expiry, in jiffies. */
  expires: number;
}

export class PmtuCache {
  /** net.ipv4.route.mtu_expires, seconds. */
  mtuExpires = IP_RT_MTU_EXPIRES;
  /** net.ipv4.route.min_pmtu. */
  minPmtu = IP_RT_MIN_PMTU;

  private readonly exceptions = new Map<number, RouteException>();

  /** The live exception for `daddr`, removing it if it has expired (find_exception). */
  lookup(daddr: number, now: Nanos): RouteException | null {
    const e = this.exceptions.get(daddr);
    if (!e) return null;
    if (jiffies(now) > e.expires) {
      this.exceptions.delete(daddr);
      return null;
    }
    return e;
  }

  /** ipv4_mtu: the learned PMTU while it lives, else the device MTU. */
  pathMtu(daddr: number, devMtu: number, now: Nanos): number {
    const e = this.lookup(daddr, now);
    return e && e.mtu < devMtu ? e.mtu : devMtu;
  }

  /**
   * __ip_rt_update_pmtu: a frag-needed ICMP reported `mtu` towards `daddr`.
   * Never raises the PMTU; below min_pmtu it stores min(current, min_pmtu)
   * and locks it; an unchanged value is refreshed only once half its
   * lifetime has gone. Returns the path MTU in effect afterwards.
   */
  update(daddr: number, mtu: number, devMtu: number, now: Nanos): number {
    const e = this.lookup(daddr, now);
    if (e?.locked) return e.mtu;
    const oldMtu = e && e.mtu < devMtu ? e.mtu : devMtu;
    if (oldMtu < mtu) return oldMtu;
    let lock = false;
    if (mtu < this.minPmtu) {
      lock = true;
      mtu = Math.min(oldMtu, this.minPmtu);
    }
    const j = jiffies(now);
    const lifetime = this.mtuExpires * HZ;
    if (e && e.mtu === mtu && !lock && j < e.expires - Math.floor(lifetime / 2)) return mtu;
    // update_or_create_fnhe
    if (e) {
      e.mtu = mtu;
      e.locked = lock;
      e.expires = j + lifetime;
    } else {
      this.exceptions.set(daddr, { daddr, mtu, locked: lock, expires: j + lifetime });
    }
    return mtu;
  }

  /** Live exceptions in destination order (ip route show cache). */
  list(now: Nanos): RouteException[] {
    const out: RouteException[] = [];
    for (const daddr of [...this.exceptions.keys()].sort((a, b) => a - b)) {
      const e = this.lookup(daddr, now);
      if (e) out.push(e);
    }
    return out;
  }

  /** Forget everything (ip route flush cache). */
  flush(): void {
    this.exceptions.clear();
  }
}

/**
 * Seconds left as iproute2 prints them: the kernel reports the remaining
 * jiffies as clock_t (rt_fill_info → jiffies_to_clock_t), iproute2 divides by
 * USER_HZ, both truncating.
 */
export function expiresSeconds(e: RouteException, now: Nanos): number {
  return Math.floor(expiresClockT(e, now) / USER_HZ);
}

function expiresClockT(e: RouteException, now: Nanos): number {
  const left = Math.max(0, e.expires - jiffies(now));
  return Math.floor((left * USER_HZ) / HZ);
}

/**
 * Line 2 of `ip route get <dst>`: `    cache ` alone, or with the exception
 * `    cache expires 599sec mtu 1300 ` (`mtu lock 552 ` when locked;
 * iproute2 omits `expires` once the clock_t value is 0).
 */
export function formatRouteCacheLine(e: RouteException | null, now: Nanos): string {
  if (!e) return '    cache ';
  const expires = expiresClockT(e, now) !== 0 ? `expires ${expiresSeconds(e, now)}sec ` : '';
  return `    cache ${expires}mtu ${e.locked ? 'lock ' : ''}${e.mtu} `;
}
