// NAPI, interrupts, the TX ring and the qdisc, through whole scenarios.
import { describe, expect, it } from 'vitest';
import { runText } from '../scenario/run_helpers.js';

function flood(opts: { rxUsecs?: number; rxFrames?: number; budget?: number; count?: number; pps?: number }): string {
  return `
name: napi
seed: 3
duration: 50ms
hosts:
  server:
    cpus: 1
    nics: { eth0: { addr: 10.0.0.2/24, rx_ring: 4096, rx_usecs: ${opts.rxUsecs ?? 0}, rx_frames: ${opts.rxFrames ?? 1} } }
    sysctl: { net.core.netdev_budget: ${opts.budget ?? 300}, net.core.rmem_default: 67108864 }
    listen: [ udp:9000 ]
  gen:
    nics: { eth0: { addr: 10.0.0.1/24 } }
links:
  - { a: gen:eth0, b: server:eth0, rate: 10Gbit }
traffic:
  - { kind: pktgen, inject: server:eth0, src: 10.0.0.1, to: 10.0.0.2:9000, size: 64, count: ${opts.count ?? 2000}, pps: ${opts.pps ?? 200000} }
`;
}

const irqs = (trace: { stage: string; detail: string; t: number }[]): number =>
  new Set(trace.filter((e) => e.stage === 'irq' && e.detail.startsWith('MSI-X')).map((e) => e.t)).size;

describe('interrupts and NAPI', () => {
  it('interrupt coalescing (rx-usecs) fires fewer interrupts for the same packets', () => {
    const plain = runText(flood({}));
    const coalesced = runText(flood({ rxUsecs: 50, rxFrames: 64 }));
    expect(plain.summary.packets.delivered).toBe(2000);
    expect(coalesced.summary.packets.delivered).toBe(2000);
    expect(irqs(coalesced.trace)).toBeLessThan(irqs(plain.trace) / 4);
  });

  it('a poll that exhausts netdev_budget counts time_squeeze; a generous budget does not', () => {
    const tight = runText(flood({ budget: 16, pps: 5_000_000, count: 20000 }), undefined, {});
    const roomy = runText(flood({ budget: 300, pps: 100_000, count: 2000 }), undefined, {});
    expect(tight.summary.hosts.server!.counters['softnet.time_squeeze']).toBeGreaterThan(0);
    expect(roomy.summary.hosts.server!.counters['softnet.time_squeeze'] ?? 0).toBe(0);
  });

  it('without RPS the per-CPU backlog is never used', () => {
    const r = runText(flood({ pps: 5_000_000, count: 20000 }), undefined, { collectTrace: true });
    expect(r.trace.some((e) => e.fn === 'enqueue_to_backlog')).toBe(false);
    expect(r.summary.hosts.server!.counters['softnet.dropped'] ?? 0).toBe(0);
  });
});

describe('transmit side', () => {
  const sender = (txRing: number, txqueuelen: number, wmem: number) => `
name: tx
seed: 1
duration: 100ms
hosts:
  client:
    nics: { eth0: { addr: 10.0.0.1/24, tx_ring: ${txRing}, txqueuelen: ${txqueuelen} } }
    sysctl: { net.core.wmem_default: ${wmem} }
  server:
    nics: { eth0: { addr: 10.0.0.2/24, rx_ring: 4096 } }
    sysctl: { net.core.rmem_default: 67108864 }
    listen: [ udp:9000 ]
links:
  - { a: client:eth0, b: server:eth0, rate: 100Mbit }
traffic:
  - { from: client, kind: udp, to: 10.0.0.2:9000, size: 1000, count: 500 }
`;

  it('a full TX ring stops the queue; completions wake it and nothing is lost', () => {
    const r = runText(sender(4, 1000, 4194304));
    expect(r.trace.some((e) => e.stage === 'driver-xmit' && e.detail.includes('netif_tx_stop_queue'))).toBe(true);
    expect(r.trace.some((e) => e.stage === 'dev-qdisc' && e.detail.includes('TX queue stopped'))).toBe(true);
    expect(r.summary.packets.delivered).toBe(500);
    expect(r.summary.drops).toEqual({});
  });

  it('a full pfifo_fast drops with QDISC_DROP and UdpSndbufErrors, which the sender never sees', () => {
    const r = runText(sender(4, 10, 4194304), undefined, {});
    const c = r.summary.hosts.client!.counters;
    expect(r.summary.drops['QDISC_DROP']).toBeGreaterThan(0);
    expect(c['UdpSndbufErrors']).toBe(r.summary.drops['QDISC_DROP']);
    expect(c['IpOutDiscards']).toBe(r.summary.drops['QDISC_DROP']);
    expect(c['UdpOutDatagrams']).toBe(500);
    expect(c['eth0.qdisc_drops']).toBe(r.summary.drops['QDISC_DROP']);
  });

  it('a small send buffer blocks the sender instead of dropping', () => {
    const r = runText(sender(4, 10, 4096), undefined, {});
    expect(r.summary.drops).toEqual({});
    expect(r.summary.packets.delivered).toBe(500);
  });
});
