import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ct, NfConn, nfConnInit, NfConnStore, packPorts } from '../../../src/netfilter/conntrack/nf_conn.js';
import { ConntrackEventLog, type ConntrackEvent } from '../../../src/netfilter/conntrack/nf_conntrack_ecache.js';
import { snapshotEntry } from '../../../src/netfilter/conntrack/nf_conntrack_entry.js';
import { IPCT } from '../../../src/netfilter/conntrack/nf_conntrack_l4proto.js';

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const port = fc.integer({ min: 0, max: 0xffff });

const eventArb = fc.record({
  dt: fc.integer({ min: 0, max: 1000 }),
  mask: fc.constantFrom(IPCT.NEW, IPCT.DESTROY, IPCT.REPLY, IPCT.NEW | IPCT.REPLY),
  proto: fc.constantFrom(1, 6, 17, 47),
  src: int32, dst: int32, sport: port, dport: port,
  tcpState: fc.integer({ min: 0, max: 9 }),
  status: fc.integer({ min: 0, max: 0x3fff }),
  timeout: fc.oneof(fc.integer({ min: 0, max: 2 * 250 }), fc.integer({ min: 0, max: 500_000 })),
  mark: int32,
  acct: fc.option(fc.tuple(fc.nat(), fc.nat({ max: 2 ** 40 }), fc.nat(), fc.nat({ max: 2 ** 40 }))),
  portid: fc.nat({ max: 0xffffffff }),
});

describe('conntrack event log', () => {
  it('keeps the last `capacity` events, oldest first, each with what ctnetlink would have sent of the entry then', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 150 }), fc.array(eventArb, { maxLength: 300 }), (capacity, evs) => {
      const log = new ConntrackEventLog(capacity);
      const store = new NfConnStore();
      // One entry rewritten before each event, so a log that kept a reference instead of a copy fails.
      const ct = new NfConn(store, store.allocSlot(1) << Ct.SHIFT);
      const expected: ConntrackEvent[] = [];
      let t = 0;
      for (const e of evs) {
        t += e.dt;
        nfConnInit(store.words, ct.base, e.proto, e.src, e.dst, packPorts(e.sport, e.dport), e.dst, e.src, packPorts(e.dport, e.sport));
        ct.tcpState = e.tcpState;
        ct.status = e.status;
        ct.timeout = e.timeout;
        ct.mark = e.mark;
        ct.acct = e.acct ? [...e.acct] : null;
        log.add(t, e.mask, store.words, ct.base, ct.acct, 0, e.portid);
        const destroy = (e.mask & IPCT.DESTROY) !== 0;
        const type = destroy ? 'DESTROY' : e.mask & IPCT.NEW ? 'NEW' : 'UPDATE';
        const entry = snapshotEntry(ct, 0);
        // A DESTROY carries the counters, and the timeout only when it is not 0; the others the timeout only.
        if (destroy && entry.timeout === 0) entry.timeout = -1;
        if (!destroy) entry.acct = null;
        expected.push({ t, type, mask: e.mask, portid: e.portid, entry });
      }
      const kept = expected.slice(Math.max(0, expected.length - capacity));
      expect(log.since(0)).toEqual(kept);
      const cut = kept.length > 0 ? kept[kept.length >> 1]!.t : 0;
      expect(log.since(cut)).toEqual(kept.filter((e) => e.t >= cut));
    }));
  });
});
