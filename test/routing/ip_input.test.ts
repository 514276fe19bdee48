// The routing decision and the L4 demux errors, through whole scenarios.
import { describe, expect, it } from 'vitest';
import { runText } from '../scenario/run_helpers.js';

const twoHosts = (server: string, traffic: string) => `
name: demux
seed: 1
duration: 4s
hosts:
  client:
    nics: { eth0: { addr: 10.0.0.1/24 } }
    routes: [ { to: default, via: 10.0.0.2 } ]
  server:
${server}
links:
  - { a: client:eth0, b: server:eth0 }
traffic:
${traffic}
`;

describe('ip_rcv_finish and the L4 demux', () => {
  it('UDP to a closed port: UdpNoPorts, an ICMP port unreachable back, NO_SOCKET', () => {
    const r = runText(twoHosts('    nics: { eth0: { addr: 10.0.0.2/24 } }', '  - { from: client, kind: udp, to: 10.0.0.2:7777, count: 3, interval: 1ms }'));
    const s = r.summary.hosts.server!.counters;
    const c = r.summary.hosts.client!.counters;
    expect(s['UdpNoPorts']).toBe(3);
    expect(s['IcmpOutDestUnreachs']).toBe(3);
    expect(s['IcmpMsgOutType3']).toBe(3);
    expect(c['IcmpInDestUnreachs']).toBe(3);
    expect(r.summary.drops['NO_SOCKET']).toBe(3);
  });

  it('ICMP errors to one destination are rate-limited: a burst of 5, then one per icmp_ratelimit', () => {
    const r = runText(twoHosts('    nics: { eth0: { addr: 10.0.0.2/24 } }', '  - { from: client, kind: udp, to: 10.0.0.2:7777, count: 20, interval: 10us }'));
    const s = r.summary.hosts.server!.counters;
    expect(s['UdpNoPorts']).toBe(20);
    expect(s['IcmpOutDestUnreachs']).toBe(5);
    expect(s['IcmpOutRateLimitHost']).toBe(15);
  });

  it('TCP to a closed port: the stack answers RST (TcpOutRsts) and the connect fails', () => {
    const r = runText(twoHosts('    nics: { eth0: { addr: 10.0.0.2/24 } }', '  - { from: client, kind: tcp, to: 10.0.0.2:8080, bytes: 1000 }'));
    const s = r.summary.hosts.server!.counters;
    const c = r.summary.hosts.client!.counters;
    expect(s['TcpOutRsts']).toBe(1);
    expect(c['TcpAttemptFails']).toBe(1);
    expect(c['TcpActiveOpens']).toBe(1);
    expect(r.summary.drops['NO_SOCKET']).toBe(1);
  });

  it('a packet for another address on a host that does not forward is counted in InAddrErrors and dropped without ICMP', () => {
    const r = runText(twoHosts('    nics: { eth0: { addr: 10.0.0.2/24 } }', '  - { from: client, kind: udp, to: 172.16.0.9:53, count: 2, interval: 1ms }'));
    const s = r.summary.hosts.server!.counters;
    expect(s['IpInAddrErrors']).toBe(2);
    expect(s['IcmpOutMsgs'] ?? 0).toBe(0);
    expect(r.summary.drops['IP_INADDRERRORS']).toBe(2);
  });

  it('a forwarding host with no route answers ICMP net unreachable and counts InNoRoutes', () => {
    const r = runText(twoHosts('    forwarding: true\n    nics: { eth0: { addr: 10.0.0.2/24 } }', '  - { from: client, kind: udp, to: 172.16.0.9:53, count: 2, interval: 1ms }'));
    const s = r.summary.hosts.server!.counters;
    expect(s['IpExtInNoRoutes']).toBe(2);
    expect(s['IcmpOutDestUnreachs']).toBe(2);
    expect(r.summary.drops['IP_INNOROUTES']).toBe(2);
  });
});
