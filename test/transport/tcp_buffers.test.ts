// Buffer autotuning: DRS grows sk_rcvbuf from tcp_rmem[1] toward tcp_rmem[2]
// once per RTT from what the reader copied (unless SO_RCVBUF or
// tcp_moderate_rcvbuf = 0), and tcp_sndbuf_expand follows cwnd toward tcp_wmem[2].

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileOrThrow } from '../scenario/run_helpers.js';
import { simulate } from '../../src/scenario/simulate.js';
import '../../src/tools/index.js';
import { connectedSock, tcpPair } from './tcp_helpers.js';

function run(text: string, trace = false) {
  const sc = compileOrThrow(text, 't.yaml');
  const res = simulate(sc, { collectTrace: trace });
  return { world: sc.world, trace: res.trace ?? [] };
}


/** rcvbuf as the receive-queue trace lines show it over time (`rmem A/B`). */
function rcvbufSeen(trace: { host: string; stage: string; detail: string }[]): number[] {
  return trace.filter((e) => e.host === 'server' && e.stage === 'sock-rcvq' && e.detail.startsWith('in order'))
    .map((e) => Number(/rmem \d+\/(\d+)/.exec(e.detail)![1]));
}

describe('receive buffer autotuning (tcp_rcv_space_adjust)', () => {
  it('starts at tcp_rmem[1], grows as the reader keeps up, and never shrinks', () => {
    const { world, trace } = run(tcpPair(), true);
    const seen = rcvbufSeen(trace);
    expect(seen[0]).toBe(131072);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(connectedSock(world, 'server').rcvbuf).toBeGreaterThan(4 * 131072);
    expect(connectedSock(world, 'server').rcvqSpace).toBeGreaterThan(0);
  });

  it('stays within tcp_rmem[2] whatever the cap', () => {
    fc.assert(fc.property(fc.integer({ min: 140_000, max: 4_000_000 }), (cap) => {
      const { world } = run(tcpPair({ server: `net.ipv4.tcp_rmem: "4096 131072 ${cap}"`, bytes: '4MB' }));
      const sk = connectedSock(world, 'server');
      expect(sk.rcvbuf).toBeLessThanOrEqual(Math.max(cap, 131072));
      expect(sk.rcvbuf).toBeGreaterThanOrEqual(131072);
    }), { numRuns: 5, seed: 7 });
  });

  it('is off for a socket with SO_RCVBUF (rcvbuf:) and with tcp_moderate_rcvbuf = 0', () => {
    const locked = run(tcpPair({ listen: '{ proto: tcp, port: 5001, rcvbuf: 262144 }' })).world;
    expect(connectedSock(locked, 'server').rcvbuf).toBe(262144);
    const off = run(tcpPair({ server: 'net.ipv4.tcp_moderate_rcvbuf: 0' })).world;
    expect(connectedSock(off, 'server').rcvbuf).toBe(131072);
  });
});

describe('send buffer autotuning (tcp_sndbuf_expand)', () => {
  it('expands to two initial windows at the handshake, then follows cwnd up to tcp_wmem[2]', () => {
    const small = run(tcpPair({ bytes: '1kB' })).world;
    // 2 × max(cwnd 10, reordering + 1) × 4352 bytes per segment.
    expect(connectedSock(small, 'client').sndbuf).toBe(2 * 10 * 4352);
    const bulk = run(tcpPair()).world;
    const sk = connectedSock(bulk, 'client');
    expect(sk.sndbuf).toBeGreaterThan(2 * 10 * 4352);
    expect(sk.sndbuf).toBeLessThanOrEqual(4194304);
    const capped = run(tcpPair({ client: 'net.ipv4.tcp_wmem: "4096 16384 100000"' })).world;
    expect(connectedSock(capped, 'client').sndbuf).toBe(100000);
  });
});
