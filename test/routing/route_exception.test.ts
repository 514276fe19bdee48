import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PmtuCache, formatRouteCacheLine } from '../../src/routing/route_exception.js';
import { NSEC_PER_SEC } from '../../src/model/time.js';

const DST = 0x0a090002;
const S = NSEC_PER_SEC;

describe('PMTU route exceptions (__ip_rt_update_pmtu)', () => {
  it('learns a lower MTU and prints it as ip route get does', () => {
    const c = new PmtuCache();
    expect(c.update(DST, 1300, 1500, 0)).toBe(1300);
    expect(c.pathMtu(DST, 1500, 0)).toBe(1300);
    expect(formatRouteCacheLine(c.lookup(DST, 1 * S), 1 * S)).toBe('    cache expires 599sec mtu 1300 ');
    expect(formatRouteCacheLine(null, 0)).toBe('    cache ');
  });

  it('expires after net.ipv4.route.mtu_expires (600 s) of simulated time', () => {
    const c = new PmtuCache();
    c.update(DST, 1300, 1500, 5 * S);
    expect(c.pathMtu(DST, 1500, 604 * S)).toBe(1300);
    expect(c.pathMtu(DST, 1500, 605 * S + 4_000_000)).toBe(1500);
    expect(c.lookup(DST, 605 * S + 4_000_000)).toBeNull();
  });

  it('never raises the path MTU', () => {
    const c = new PmtuCache();
    c.update(DST, 1300, 1500, 0);
    expect(c.update(DST, 1400, 1500, 1 * S)).toBe(1300);
  });

  it('clamps a value below min_pmtu to 552 and locks it', () => {
    const c = new PmtuCache();
    expect(c.update(DST, 300, 1500, 0)).toBe(552);
    expect(c.lookup(DST, 0)!.locked).toBe(true);
    expect(c.update(DST, 400, 1500, 1 * S)).toBe(552);
    expect(formatRouteCacheLine(c.lookup(DST, 0), 0)).toBe('    cache expires 600sec mtu lock 552 ');
  });

  it('refreshes an unchanged MTU only after half its lifetime', () => {
    const c = new PmtuCache();
    c.update(DST, 1300, 1500, 0);
    c.update(DST, 1300, 1500, 100 * S);
    expect(formatRouteCacheLine(c.lookup(DST, 100 * S), 100 * S)).toBe('    cache expires 500sec mtu 1300 ');
    c.update(DST, 1300, 1500, 301 * S);
    expect(formatRouteCacheLine(c.lookup(DST, 301 * S), 301 * S)).toBe('    cache expires 600sec mtu 1300 ');
  });

  it('the effective MTU is always between min_pmtu and the device MTU', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 68, max: 9000 }), fc.integer({ min: 0, max: 2000 })), { maxLength: 20 }), (reports) => {
        const c = new PmtuCache();
        let t = 0;
        for (const [mtu, dt] of reports) {
          t += dt * S;
          const eff = c.update(DST, mtu, 1500, t);
          expect(eff).toBeLessThanOrEqual(1500);
          expect(eff).toBeGreaterThanOrEqual(552);
          expect(c.pathMtu(DST, 1500, t)).toBe(eff);
        }
      }),
    );
  });
});
