import { describe, expect, it } from 'vitest';
import { compileScenario } from '../../src/scenario/build.js';
import { simulate } from '../../src/scenario/simulate.js';
import { runCommand } from '../../src/tools/runner.js';
import '../../src/tools/index.js';

const lab = (forwarding: boolean, at: string) => `
name: lro-forward
duration: 20ms
hosts:
  client:
    nics: { eth0: { addr: 10.0.0.1/24 } }
    routes: [ { to: default, via: 10.0.0.254 } ]
  router:
    forwarding: ${forwarding}
    nics:
      eth0: { addr: 10.0.0.254/24, driver: ixgbe, offloads: { lro: on } }
      eth1: { addr: 10.0.1.254/24 }
  server:
    nics: { eth0: { addr: 10.0.1.2/24 } }
    routes: [ { to: default, via: 10.0.1.254 } ]
    listen: [ tcp:5001 ]
links:
  - { a: client:eth0, b: router:eth0, rate: 10Gbit, delay: 10us }
  - { a: router:eth1, b: server:eth0, rate: 10Gbit, delay: 10us }
traffic:
  - { from: client, kind: tcp, to: 10.0.1.2:5001, bytes: 2MB, at: 2ms }
at:
${at}
`;

function compile(text: string) {
  const r = compileScenario(text, 'lro.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

const lroLine = (out: string) => out.split('\n').find((l) => l.startsWith('large-receive-offload:'));

describe('LRO and forwarding', () => {
  it('a forwarding host has LRO off (dev_disable_lro), and so does one that turns ip_forward on later', () => {
    const fwd = compile(lab(true, '  end: []'));
    expect(lroLine(runCommand(fwd.world, 'router', 'ethtool -k eth0').stdout)).toBe('large-receive-offload: off');
    const later = compile(lab(false, '  end: []'));
    expect(lroLine(runCommand(later.world, 'router', 'ethtool -k eth0').stdout)).toBe('large-receive-offload: on');
    runCommand(later.world, 'router', 'sysctl -w net.ipv4.ip_forward=1');
    expect(lroLine(runCommand(later.world, 'router', 'ethtool -k eth0').stdout)).toBe('large-receive-offload: off');
  });

  it('LRO turned back on at a router: merged packets are dropped with the kernel\'s warning and the transfer stalls', () => {
    const sc = compile(lab(true, '  1ms: [ "router: ethtool -K eth0 lro on" ]'));
    const res = simulate(sc);
    const router = sc.world.host('router');
    expect(router.dmesg.some((l) => l.endsWith('eth0: received packets cannot be forwarded while LRO is enabled'))).toBe(true);
    expect(res.summary.drops['NOT_SPECIFIED']).toBeGreaterThan(0);
    const ok = compile(lab(true, '  end: []'));
    const good = simulate(ok);
    expect(good.summary.hosts['server']!.counters['TcpInSegs'] ?? 0).toBeGreaterThan(res.summary.hosts['server']!.counters['TcpInSegs'] ?? 0);
  });
});
