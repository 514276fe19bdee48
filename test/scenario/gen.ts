// Small random scenarios for property tests: a client and a server on one
// link, a random mix of UDP senders and TCP transfers, optional RPS, random
// ring and backlog sizes. UDP datagrams fit one frame: the build does not wire
// host.ipFragment yet, so a larger one is dropped with PKT_TOO_BIG. Returned as YAML text so the whole path (parse,
// schema, build, run) is exercised.

import fc from 'fast-check';

export interface GenOptions {
  /** Scenario duration; long enough that every packet reaches its fate. */
  duration: string;
  /** Allow floods that overflow small rings, backlogs and qdiscs. */
  flood?: boolean;
}

export function scenarioArb(opts: GenOptions): fc.Arbitrary<string> {
  const flood = opts.flood ?? false;
  const udp = fc.record({
    size: fc.integer({ min: 1, max: flood ? 256 : 1472 }),
    count: fc.integer({ min: 1, max: flood ? 400 : 40 }),
    intervalNs: fc.integer({ min: flood ? 0 : 1000, max: flood ? 2000 : 200_000 }),
    atUs: fc.integer({ min: 0, max: 500 }),
  });
  const tcp = fc.record({
    bytes: fc.integer({ min: 1, max: 40_000 }),
    atUs: fc.integer({ min: 0, max: 500 }),
  });
  return fc
    .record({
      clientCpus: fc.integer({ min: 1, max: 3 }),
      serverCpus: fc.integer({ min: 1, max: 3 }),
      rateMbit: fc.constantFrom(10, 100, 1000, 10000),
      delayUs: fc.integer({ min: 1, max: 200 }),
      rxRing: fc.integer({ min: flood ? 1 : 8, max: flood ? 32 : 512 }),
      queues: fc.integer({ min: 1, max: 2 }),
      rps: fc.boolean(),
      backlog: fc.integer({ min: flood ? 1 : 50, max: flood ? 16 : 1000 }),
      txqueuelen: fc.integer({ min: flood ? 1 : 10, max: flood ? 16 : 1000 }),
      rcvbuf: fc.option(fc.integer({ min: 2048, max: 65536 }), { nil: undefined }),
      loss: fc.constantFrom(0, 0, 0.05),
      workUs: fc.integer({ min: 0, max: flood ? 20 : 2 }),
      udp: fc.array(udp, { minLength: 0, maxLength: 3 }),
      tcp: fc.array(tcp, { minLength: 0, maxLength: 2 }),
    })
    .filter((s) => s.udp.length + s.tcp.length > 0)
    .map((s) => {
      const listen = [`{ proto: udp, port: 5000${s.rcvbuf ? `, rcvbuf: ${s.rcvbuf}` : ''}, work: ${s.workUs}us }`, 'tcp:443'];
      const traffic = [
        ...s.udp.map((u) => `  - { from: client, kind: udp, to: 10.0.0.2:5000, size: ${u.size}, count: ${u.count}, interval: ${u.intervalNs}ns, at: ${u.atUs}us }`),
        ...s.tcp.map((t) => `  - { from: client, kind: tcp, to: 10.0.0.2:443, bytes: ${t.bytes}, at: ${t.atUs}us }`),
      ];
      return [
        'name: generated',
        `duration: ${opts.duration}`,
        'hosts:',
        '  client:',
        `    cpus: ${s.clientCpus}`,
        `    nics: { eth0: { addr: 10.0.0.1/24, txqueuelen: ${s.txqueuelen} } }`,
        '  server:',
        `    cpus: ${s.serverCpus}`,
        `    nics: { eth0: { addr: 10.0.0.2/24, rx_ring: ${s.rxRing}, queues: ${s.queues}${s.rps ? ', rps: true' : ''} } }`,
        `    sysctl: { net.core.netdev_max_backlog: ${s.backlog} }`,
        `    listen: [ ${listen.join(', ')} ]`,
        'links:',
        `  - { a: client:eth0, b: server:eth0, rate: ${s.rateMbit}Mbit, delay: ${s.delayUs}us${s.loss ? `, loss: ${s.loss}` : ''} }`,
        'traffic:',
        ...traffic,
        '',
      ].join('\n');
    });
}
