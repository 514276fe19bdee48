// Delivery rate samples (tcp_rate.c) and the busy / rwnd-limited clocks
// (tcp_chrono_*), as tcp_info reports them to `ss -i`.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileOrThrow } from '../scenario/run_helpers.js';
import { connectedSock, tcpPair } from './tcp_helpers.js';
import { simulate } from '../../src/scenario/simulate.js';
import type { TcpSock } from '../../src/transport/tcp_sock.js';
import { tcpDeliveryRate } from '../../src/transport/tcp_rate.js';
import { tcpChronoStats } from '../../src/transport/tcp_chrono.js';
import type { World } from '../../src/model/world.js';
import type { Scheduler } from '../../src/model/scheduler.js';
import '../../src/tools/index.js';

/** A bulk transfer over a `rate` link of 1 ms delay; `rcvbuf` fixes the server's tcp_rmem. */
function bulk(rate: string, bytes: string, rcvbuf = ''): string {
  return tcpPair({
    link: `rate: ${rate}, delay: 1ms`, bytes,
    server: rcvbuf ? `net.ipv4.tcp_rmem: "${rcvbuf}", net.ipv4.tcp_moderate_rcvbuf: 0` : undefined,
  });
}

/** Runs `text` to `untilNs` and returns the client's connected socket. */
function clientAt(text: string, untilNs: number): { world: World; sk: TcpSock } {
  const sc = compileOrThrow(text, 'rate.yaml');
  simulate(sc, { untilNs });
  const world = sc.world;
  const sk = connectedSock(world, 'client');
  return { world, sk };
}

describe('delivery rate (tcp_rate.c)', () => {
  it('a bulk sender measures about the bottleneck rate, less the headers, and never more than the link', () => {
    for (const rate of ['100Mbit', '1Gbit']) {
      const sc = compileOrThrow(bulk(rate, '1GB'), 'rate.yaml');
      const world = sc.world;
      const samples: number[] = [];
      const sample = (sim: Scheduler): void => {
        const sk = connectedSock(world, 'client');
        samples.push(tcpDeliveryRate(sk) * 8);
        expect(sk.rateAppLimited).toBe(false);
        if (sim.now < 1_000_000_000) sim.at(sim.now + 25_000_000, sample);
      };
      world.sim.at(300_000_000, sample);
      simulate(sc, { untilNs: 1_001_000_000 });
      const linkBps = rate === '1Gbit' ? 1e9 : 1e8;
      const sorted = [...samples].sort((a, b) => a - b);
      // 1448 payload bytes in a 1538-byte slot on the wire: at most ~94 % of the link.
      expect(sorted[sorted.length >> 1]!).toBeGreaterThan(0.85 * linkBps);
      expect(sorted[sorted.length - 1]!).toBeLessThan(0.95 * linkBps);
    }
  });
});

describe('busy and rwnd_limited (tcp_chrono)', () => {
  it('busy counts the time data waited or flew, and stops once the transfer is done', () => {
    const done = clientAt(bulk('1Gbit', '2MB'), 1_000_000_000);
    const later = clientAt(bulk('1Gbit', '2MB'), 2_000_000_000);
    const [busy] = tcpChronoStats(done.sk, 1_000_000_000);
    // 2 MB at ~940 Mbit/s is about 20 ms, plus slow start over a 2 ms RTT.
    expect(busy).toBeGreaterThan(15_000);
    expect(busy).toBeLessThan(100_000);
    expect(tcpChronoStats(later.sk, 2_000_000_000)[0]).toBe(busy);
  });

  it('a receiver that keeps its window small makes the sender mostly rwnd-limited; a large one does not', () => {
    const small = clientAt(bulk('1Gbit', '1GB', '4096 16384 16384'), 2_000_000_000);
    const [busyS, rwndS, sndbufS] = tcpChronoStats(small.sk, 2_000_000_000);
    expect(rwndS / busyS).toBeGreaterThan(0.5);
    expect(rwndS + sndbufS).toBeLessThanOrEqual(busyS);
    const large = clientAt(bulk('1Gbit', '1GB'), 2_000_000_000);
    const [busyL, rwndL] = tcpChronoStats(large.sk, 2_000_000_000);
    expect(rwndL / busyL).toBeLessThan(0.2);
    // Busy from the first write to now, in 4 ms jiffies.
    expect(busyL).toBeGreaterThan(1_990_000 - 8_000);
    expect(busyL).toBeLessThanOrEqual(2_000_000);
  });

  it('retrans-rcvbuf: the slow reader holds the sender back for most of its busy time (ss shows rwnd_limited)', () => {
    const { sk } = clientAt(readFileSync('scenarios/retrans-rcvbuf.yaml', 'utf8'), 3_000_000_000);
    const [busy, rwnd] = tcpChronoStats(sk, 3_000_000_000);
    expect(rwnd / busy).toBeGreaterThan(0.5);
  });
});
