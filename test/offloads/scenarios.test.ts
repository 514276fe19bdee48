// The offload and fragmentation wiring, proved through whole scenarios:
// GRO, TSO versus software GSO, fragmentation with reassembly, DF at a
// forwarder, and the PMTU cache's expiry.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileScenario } from '../../src/scenario/build.js';
import { simulate, counterValue, type RunResult } from '../../src/scenario/simulate.js';
import type { World } from '../../src/model/world.js';
import { hostPmtuLookup } from '../../src/offloads/install.js';
import { parseIpv4 } from '../../src/model/inet.js';
import '../../src/tools/index.js';

function run(text: string, file = 'test.yaml'): RunResult & { world: World } {
  const r = compileScenario(text, file);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('\n'));
  return { ...simulate(r.scenario, { collectTrace: true }), world: r.scenario.world };
}

function counter(w: World, host: string, name: string): number {
  return counterValue(w, w.host(host), name) ?? NaN;
}

function bulkTcp(serverOffloads: string, clientOffloads: string, bytes = '1MB'): string {
  return `name: bulk
seed: 3
duration: 2s
hosts:
  client:
    nics: { eth0: { addr: 10.0.0.1/24, offloads: { ${clientOffloads} } } }
  server:
    nics: { eth0: { addr: 10.0.0.2/24, offloads: { ${serverOffloads} } } }
    listen: [ tcp:5001 ]
links:
  - { a: client:eth0, b: server:eth0, rate: 10Gbit, delay: 20us }
traffic:
  - { from: client, kind: tcp, to: 10.0.0.2:5001, bytes: ${bytes}, at: 1ms }
`;
}

describe('GRO in NAPI', () => {
  it('GRO on cuts IpInReceives well below the segments received, and delivers the same bytes as GRO off', () => {
    const on = run(bulkTcp('gro: on', 'tso: on'));
    const off = run(bulkTcp('gro: off', 'tso: on'));
    const rxOn = counter(on.world, 'server', 'IpInReceives');
    const rxOff = counter(off.world, 'server', 'IpInReceives');
    const frames = counter(on.world, 'server', 'eth0.rx_packets');
    expect(rxOff).toBe(counter(off.world, 'server', 'eth0.rx_packets'));
    expect(rxOn * 3).toBeLessThan(frames);
    const bytes = (r: RunResult): number => r.trace.filter((e) => e.host === 'server' && e.stage === 'app-recv')
      .reduce((s, e) => s + Number(/copies (\d+) bytes/.exec(e.detail)![1]), 0);
    expect(bytes(on)).toBe(1_000_000);
    expect(bytes(off)).toBe(1_000_000);
  });

  it('a merged skb ends at the gro stage, naming the skb it joined', () => {
    const r = run(bulkTcp('gro: on', 'tso: on', '64kB'));
    const merged = r.trace.filter((e) => e.stage === 'gro' && e.verdict === 'consume');
    expect(merged.length).toBeGreaterThan(0);
    for (const e of merged) {
      expect(e.detail).toMatch(/^merged into skb \d+: \d+ segments, \d+ bytes$/);
      expect(r.trace.filter((x) => x.skb === e.skb && x.t > e.t && x.host === 'server')).toHaveLength(0);
    }
  });
});

describe('scenarios/offload-gro.yaml', () => {
  it('every expect: check holds: IpInReceives is a fraction of the frames received', () => {
    const r = run(readFileSync('scenarios/offload-gro.yaml', 'utf8'), 'scenarios/offload-gro.yaml');
    for (const e of r.summary.expectations) expect(e.ok, `${e.host} ${e.counter}: ${e.message}`).toBe(true);
  });
});

describe('TSO and GSO on transmit', () => {
  it('TSO in the NIC and software GSO put the same frames on the wire', () => {
    const tso = run(bulkTcp('gro: off', 'tso: on', '200kB'));
    const gso = run(bulkTcp('gro: off', 'tso: off', '200kB'));
    const wire = (r: RunResult): string[] => r.trace
      .filter((e) => e.host === 'client' && e.stage === 'nic-tx')
      .map((e) => e.detail.replace(/reaches .*$/, ''));
    expect(counter(tso.world, 'client', 'eth0.tx_packets')).toBe(counter(gso.world, 'client', 'eth0.tx_packets'));
    expect(counter(tso.world, 'client', 'eth0.tx_bytes')).toBe(counter(gso.world, 'client', 'eth0.tx_bytes'));
    expect(wire(tso).length).toBe(wire(gso).length);
    // Software GSO shows up as the gso stage; TSO does not use it.
    expect(gso.trace.some((e) => e.stage === 'gso' && e.verdict === 'consume')).toBe(true);
    expect(tso.trace.some((e) => e.stage === 'gso')).toBe(false);
    // Every frame fits the MTU either way.
    expect(counter(tso.world, 'client', 'eth0.tx_bytes') / counter(tso.world, 'client', 'eth0.tx_packets')).toBeLessThanOrEqual(1514);
    // TcpOutSegs counts segments, not super-packets.
    expect(counter(tso.world, 'client', 'TcpOutSegs')).toBe(counter(gso.world, 'client', 'TcpOutSegs'));
  });
});

const MTU_PMTU = readFileSync('scenarios/mtu-pmtu.yaml', 'utf8');

describe('fragmentation, DF and PMTU', () => {
  it('scenarios/mtu-pmtu.yaml: every expect: check holds', () => {
    const r = run(MTU_PMTU, 'scenarios/mtu-pmtu.yaml');
    for (const e of r.summary.expectations) expect(e.ok, `${e.host} ${e.counter}: ${e.message}`).toBe(true);
  });

  it('a fragmented datagram is rebuilt end to end from fragments of at most the egress MTU', () => {
    const r = run(MTU_PMTU, 'scenarios/mtu-pmtu.yaml');
    const frags = r.trace.filter((e) => e.host === 'router' && e.stage === 'fragment' && /^fragment of skb/.test(e.detail));
    expect(frags.length).toBe(8);
    for (const f of frags) expect(Number(/, (\d+) bytes/.exec(f.detail)![1])).toBeLessThanOrEqual(1300);
    const rebuilt = r.trace.filter((e) => e.host === 'server' && e.stage === 'defrag' && /ip_frag_reasm/.test(e.detail));
    expect(rebuilt).toHaveLength(4);
    for (const e of rebuilt) expect(e.detail).toContain('1428-byte datagram');
  });

  it('DF at a forwarder: ICMP 3/4 carrying the next-hop MTU and IpFragFails', () => {
    const r = run(MTU_PMTU, 'scenarios/mtu-pmtu.yaml');
    expect(counter(r.world, 'router', 'IpFragFails')).toBe(1);
    expect(counter(r.world, 'router', 'IcmpOutDestUnreachs')).toBe(1);
    expect(r.trace.some((e) => e.host === 'router' && e.reason === 'PKT_TOO_BIG')).toBe(true);
    expect(r.trace.some((e) => e.host === 'router' && /need to frag \(mtu 1300\)/.test(e.detail))).toBe(true);
    const get = r.summary.commands.find((c) => c.command === 'ip route get 10.0.1.2')!;
    expect(get.host).toBe('client');
    expect(get.stdout).toMatch(/^10\.0\.1\.2 via 10\.0\.0\.1 dev eth0 src 10\.0\.0\.2 uid 0 \n    cache expires 59\dsec mtu 1300 \n$/);
  });

  it('the learned PMTU expires after net.ipv4.route.mtu_expires', () => {
    const text = MTU_PMTU.replace('duration: 50ms', 'duration: 50ms')
      .replace('    routes: [ { to: default, via: 10.0.0.1 } ]\n  router', '    routes: [ { to: default, via: 10.0.0.1 } ]\n    sysctl: { net.ipv4.route.mtu_expires: 1 }\n  router');
    const r = compileScenario(text, 'x.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const w = r.scenario.world;
    simulate(r.scenario, { untilNs: 50e6 });
    const client = w.host('client');
    const dst = parseIpv4('10.0.1.2')!;
    expect(hostPmtuLookup(client, dst)).toBe(1300);
    simulate(r.scenario, { untilNs: 1.2e9 });
    expect(hostPmtuLookup(client, dst)).toBe(0);
  });
});

describe('scenario offloads: key', () => {
  it('an unknown offload name is reported at its position with the names that work', () => {
    const r = compileScenario(bulkTcp('grp: on', 'tso: on'), 'bad.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]!.message).toMatch(/unknown offload "grp"/);
    expect(r.errors[0]!.line).toBe(8);
  });

  it('a [fixed] feature cannot be turned on, and says so', () => {
    const r = compileScenario(bulkTcp('lro: on', 'tso: on'), 'bad.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]!.message).toMatch(/lro cannot be turned on on a virtio_net device: rx-lro is \[fixed\] off/);
  });
});
