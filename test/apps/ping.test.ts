import { describe, expect, it } from 'vitest';
import { compileScenario, type CompiledScenario } from '../../src/scenario/build.js';
import { simulate } from '../../src/scenario/simulate.js';
import { runCommand } from '../../src/tools/runner.js';
import '../../src/tools/index.js';
import { formatLossPercent, formatTriptime, Ping } from '../../src/apps/ping.js';

/** client — router — server; the router's second link has `mtu2`, the first `mtu1`. */
function net(mtu1: number, mtu2: number, extra = ''): CompiledScenario {
  const yaml = `
name: ping-test
seed: 1
duration: 5ms
hosts:
  client:
    nics: { eth0: { addr: 10.0.0.2/24, mtu: ${mtu1} } }
    routes: [ { to: default, via: 10.0.0.1 } ]
  router:
    forwarding: true
    nics:
      eth0: { addr: 10.0.0.1/24, mtu: ${mtu1} }
      eth1: { addr: 10.0.1.1/24, mtu: ${mtu2} }
  server:
    nics: { eth0: { addr: 10.0.1.2/24, mtu: ${mtu2} } }
    routes: [ { to: default, via: 10.0.1.1 } ]
links:
  - { a: client:eth0, b: router:eth0, rate: 10Gbit, delay: 20us }
  - { a: router:eth1, b: server:eth0, rate: 10Gbit, delay: 20us${extra} }
`;
  const r = compileScenario(yaml, 'ping.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

/** Runs `line` on the client at 1 ms and lets simulated time run until ping exits. */
function ping(sc: CompiledScenario, line: string): { stdout: string; stderr: string; exitCode: number } {
  simulate(sc, { untilNs: 1e6 });
  const r = runCommand(sc.world, 'client', line);
  if (!r.job) return r;
  const sim = sc.world.sim;
  while (!r.job.done && sim.pending > 0) sim.run(sim.now + 1e6);
  const f = r.job.finish();
  return { stdout: r.stdout + f.stdout, stderr: r.stderr + f.stderr, exitCode: f.exitCode };
}

describe('ping', () => {
  it('prints the banner, one line per reply and the summary as iputils does', () => {
    const r = ping(net(1500, 1500), 'ping -c3 -i 0.2 10.0.0.1');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.');
    for (let i = 1; i <= 3; i++) expect(lines[i]).toMatch(new RegExp(`^64 bytes from 10\\.0\\.0\\.1: icmp_seq=${i} ttl=64 time=0\\.\\d{3} ms$`));
    expect(lines[4]).toBe('');
    expect(lines[5]).toBe('--- 10.0.0.1 ping statistics ---');
    expect(lines[6]).toBe('3 packets transmitted, 3 received, 0% packet loss, time 400ms');
    expect(lines[7]).toMatch(/^rtt min\/avg\/max\/mdev = \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms$/);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('gives a local EMSGSIZE with -M do -s 8972 on an MTU 1500 path, and replies of 8980 bytes at MTU 9000', () => {
    const small = ping(net(1500, 1500), 'ping -c3 -i 0.2 -M do -s 8972 10.0.0.1');
    expect(small.stdout).toBe('PING 10.0.0.1 (10.0.0.1) 8972(9000) bytes of data.\n\n--- 10.0.0.1 ping statistics ---\n' +
      '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 400ms\n\n');
    expect(small.stderr).toBe('ping: local error: message too long, mtu=1500\n'.repeat(3));
    expect(small.exitCode).toBe(1);
    const jumbo = ping(net(9000, 9000), 'ping -c3 -i 0.2 -M do -s 8972 10.0.0.1');
    expect(jumbo.stdout.split('\n').filter((l) => l.startsWith('8980 bytes from 10.0.0.1: icmp_seq='))).toHaveLength(3);
    expect(jumbo.stdout).toContain('3 packets transmitted, 3 received, 0% packet loss');
  });

  it('reports the router\'s Frag needed, then fails locally against the learned PMTU', () => {
    const r = ping(net(1500, 1300), 'ping -c3 -i 0.2 -M do -s 1400 10.0.1.2');
    expect(r.stdout).toContain('From 10.0.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1300)\n');
    expect(r.stderr).toBe('ping: local error: message too long, mtu=1300\n'.repeat(2));
    expect(r.stdout).toContain('3 packets transmitted, 0 received, +3 errors, 100% packet loss');
  });

  it('with -M want fragments locally once the PMTU is learned, and the later probes are answered', () => {
    const r = ping(net(1500, 1300), 'ping -c3 -i 0.2 -M want -s 1400 10.0.1.2');
    expect(r.stdout).toContain('From 10.0.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1300)\n');
    expect(r.stdout).toMatch(/1408 bytes from 10\.0\.1\.2: icmp_seq=2 ttl=63 time=/);
    expect(r.stdout).toContain('3 packets transmitted, 2 received, +1 errors, 33.3333% packet loss');
  });

  it('shows loss on a lossy link in its summary', () => {
    const r = ping(net(1500, 1500, ', loss: 0.2'), 'ping -c 100 -i 0.1 10.0.1.2');
    const m = /100 packets transmitted, (\d+) received, (\d+)% packet loss/.exec(r.stdout);
    expect(m).not.toBeNull();
    const received = Number(m![1]);
    expect(received).toBeGreaterThan(40);
    expect(received).toBeLessThan(90);
    expect(Number(m![2])).toBe(100 - received);
  });

  it('reports bad options as ping does', () => {
    const sc = net(1500, 1500);
    expect(runCommand(sc.world, 'client', 'ping -M foo 10.0.0.1')).toMatchObject({ stderr: 'ping: invalid -M argument: foo\n', exitCode: 2 });
    expect(runCommand(sc.world, 'client', 'ping')).toMatchObject({ stderr: 'ping: usage error: Destination address required\n', exitCode: 1 });
    expect(runCommand(sc.world, 'client', 'ping -c 0 10.0.0.1').stderr).toBe("ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n");
  });

  it('runs as scenario traffic and stops at the end of the run', () => {
    const r = compileScenario(`
name: t
duration: 1s
hosts:
  a: { nics: { eth0: { addr: 10.0.0.1/24 } } }
  b: { nics: { eth0: { addr: 10.0.0.2/24 } } }
links: [ { a: a:eth0, b: b:eth0 } ]
traffic: [ { kind: ping, from: a, to: b, count: 5, interval: 100ms, at: 1ms } ]
`, 't.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    simulate(r.scenario);
    const p = r.scenario.world.hosts.get('a')!.processes.find((x) => x instanceof Ping) as Ping;
    expect(p.finished).toBe(true);
    expect(p.stdout).toContain('PING b (10.0.0.2) 56(84) bytes of data.');
    expect(p.stdout).toContain('5 packets transmitted, 5 received, 0% packet loss, time 400ms');
    expect(r.scenario.world.hosts.get('b')!.snmp.get('IcmpInEchos')).toBe(5);
  });
});

describe('ping number formats', () => {
  it('rounds the round-trip time as gather_statistics does', () => {
    expect(formatTriptime(117)).toBe('0.117 ms');
    expect(formatTriptime(1234)).toBe('1.23 ms');
    expect(formatTriptime(12345)).toBe('12.3 ms');
    expect(formatTriptime(123456)).toBe('123 ms');
  });
  it('prints the loss as %g of a float', () => {
    expect(formatLossPercent(100 / 3)).toBe('33.3333');
    expect(formatLossPercent(0)).toBe('0');
    expect(formatLossPercent(100)).toBe('100');
    expect(formatLossPercent(50)).toBe('50');
  });
});
