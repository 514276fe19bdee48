import { describe, expect, it } from 'vitest';
import { compileScenario } from '../../src/scenario/build.js';
import { simulate } from '../../src/scenario/simulate.js';
import { runCommand } from '../../src/tools/runner.js';
import '../../src/tools/index.js';

const lab = `
name: ip-route
duration: 50ms
hosts:
  client:
    nics: { eth0: { addr: 10.0.0.1/24 } }
    routes: [ { to: default, via: 10.0.0.254 }, { to: 192.168.0.0/16, via: 10.0.0.254, metric: 5 }, { to: 10.0.0.0/8, via: 10.0.0.254 } ]
  router:
    forwarding: true
    nics:
      eth0: { addr: 10.0.0.254/24 }
      eth1: { addr: 10.0.1.254/24, mtu: 1300 }
  server:
    nics: { eth0: { addr: 10.0.1.2/24, mtu: 1300 } }
    routes: [ { to: default, via: 10.0.1.254 } ]
links:
  - { a: client:eth0, b: router:eth0 }
  - { a: router:eth1, b: server:eth0 }
traffic:
  - { kind: ping, from: client, to: 10.0.1.2, count: 2, interval: 1ms, size: 1400, at: 1ms }
`;

describe('ip route show', () => {
  // Scenario routes are configured routes (proto static, as systemd-networkd installs them); `ip route add` would print none.
  it('lists the main table in the kernel\'s dump order with iproute2\'s trailing spaces (checked against iproute2 6.1)', () => {
    const r = compileScenario(lab, 'lab.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const out = runCommand(r.scenario.world, 'client', 'ip route show').stdout;
    expect(out).toBe('default via 10.0.0.254 dev eth0 proto static \n' +
      '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 \n' +
      '10.0.0.0/8 via 10.0.0.254 dev eth0 proto static \n' +
      '192.168.0.0/16 via 10.0.0.254 dev eth0 proto static metric 5 \n');
  });

  it('shows the PMTU exception a frag-needed created under `ip route show cache`, and flush cache forgets it', () => {
    const r = compileScenario(lab, 'lab.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    simulate(r.scenario);
    const w = r.scenario.world;
    expect(runCommand(w, 'client', 'ip route show cache').stdout).toMatch(/^10\.0\.1\.2 via 10\.0\.0\.254 dev eth0 \n {4}cache expires 59\dsec mtu 1300 \n$/);
    runCommand(w, 'client', 'ip route flush cache');
    expect(runCommand(w, 'client', 'ip route show cache').stdout).toBe('');
  });
});
