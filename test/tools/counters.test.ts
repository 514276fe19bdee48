import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fixture, LAB, loadProcCounters, run, runWorld } from './helpers.js';
import { MIB } from '../../src/model/snmp.js';
import { procAddr } from '../../src/tools/proc_net.js';

/** A host whose counters are those the real kernel showed (fixtures/real/snmp.txt, netstat.txt). */
function realCounters() {
  const world = runWorld(LAB, { untilNs: 0 });
  const host = world.host('pb');
  host.snmp.v.fill(0);
  host.snmp.icmpMsgIn.fill(0);
  host.snmp.icmpMsgOut.fill(0);
  loadProcCounters(host, fixture('snmp.txt'));
  loadProcCounters(host, fixture('netstat.txt'));
  return { world, host };
}

describe('/proc/net/snmp and /proc/net/netstat', () => {
  it('prints the real kernel\'s files byte for byte from the same counter values', () => {
    const { world } = realCounters();
    expect(run(world, 'pb', 'cat /proc/net/snmp').stdout).toBe(fixture('snmp.txt'));
    expect(run(world, 'pb', 'cat /proc/net/netstat').stdout).toBe(fixture('netstat.txt'));
  });

  it('omits the IcmpMsg group while no ICMP type was counted', () => {
    const world = runWorld(LAB, { untilNs: 0 });
    expect(run(world, 'pb', 'cat /proc/net/snmp').stdout).not.toContain('IcmpMsg');
  });

  it('fails like coreutils cat for a file it does not have', () => {
    const world = runWorld(LAB, { untilNs: 0 });
    expect(run(world, 'pb', 'cat /proc/net/nope')).toEqual({ stdout: '', stderr: 'cat: /proc/net/nope: No such file or directory\n', exitCode: 1 });
  });
});

describe('netstat -s', () => {
  it('words the real counters exactly as net-tools 2.10 did', () => {
    const { world } = realCounters();
    expect(run(world, 'pb', 'netstat -s').stdout).toBe(fixture('netstat_s.txt'));
  });

  it('prints a sentence for a known field and Name: value for the others, only when non-zero', () => {
    const world = runWorld(LAB, { untilNs: 0 });
    const host = world.host('pb');
    host.snmp.v[MIB.TcpRetransSegs] = 7;
    host.snmp.v[MIB.TcpExtTCPTimeouts] = 3;
    host.snmp.v[MIB.TcpExtListenOverflows] = 2;
    const out = run(world, 'pb', 'netstat -s').stdout;
    expect(out).toContain('\n    7 segments retransmitted\n');
    expect(out).toContain('\n    TCPTimeouts: 3\n');
    expect(out).toContain('\n    2 times the listen queue of a socket overflowed\n');
    expect(out).not.toContain('TCPSynRetrans');
  });

  it('keeps the sections -t, -u and -w select, and the unclassified ones, as net-tools does', () => {
    const { world } = realCounters();
    const heads = (line: string) => run(world, 'pb', line).stdout.split('\n').filter((l) => /^[A-Za-z]/.test(l));
    expect(heads('netstat -st')).toEqual(['IcmpMsg:', 'Tcp:', 'UdpLite:', 'TcpExt:', 'IpExt:', 'MPTcpExt:']);
    expect(heads('netstat -su')).toEqual(['IcmpMsg:', 'Udp:', 'UdpLite:', 'IpExt:', 'MPTcpExt:']);
    expect(heads('netstat -s --raw')).toEqual(['Ip:', 'Icmp:', 'IcmpMsg:', 'UdpLite:', 'IpExt:', 'MPTcpExt:']);
  });

  it('refuses an unknown option as netstat does', () => {
    const world = runWorld(LAB, { untilNs: 0 });
    const r = run(world, 'pb', 'netstat -Q');
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("netstat: invalid option -- 'Q'");
  });
});

describe('nstat', () => {
  it('prints the real counters as nstat -a did (IPv4 lines; the model has no IPv6)', () => {
    const { world } = realCounters();
    const want = fixture('nstat_a.txt').split('\n').filter((l) => !/^(Ip6|Icmp6|Udp6)/.test(l)).join('\n');
    expect(run(world, 'pb', 'nstat -a').stdout).toBe(want);
  });

  it('shows deltas since its previous call, as its history file does', () => {
    const world = runWorld(LAB, { untilNs: 0 });
    const host = world.host('pb');
    host.snmp.v[MIB.UdpNoPorts] = 5;
    expect(run(world, 'pb', 'nstat').stdout).toBe('#kernel\nUdpNoPorts                      5                  0.0\n');
    host.snmp.v[MIB.UdpNoPorts] = 8;
    expect(run(world, 'pb', 'nstat').stdout).toBe('#kernel\nUdpNoPorts                      3                  0.0\n');
    expect(run(world, 'pb', 'nstat').stdout).toBe('#kernel\n');
    expect(run(world, 'pb', 'nstat -a UdpNoPorts').stdout).toBe('#kernel\nUdpNoPorts                      8                  0.0\n');
    expect(run(world, 'pb', 'nstat -z UdpNoPorts').stdout).toBe('#kernel\nUdpNoPorts                      0                  0.0\n');
  });

  it('-n updates the history silently, -s leaves it, --reset restarts it', () => {
    const world = runWorld(LAB, { untilNs: 0 });
    const host = world.host('pb');
    host.snmp.v[MIB.TcpInSegs] = 10;
    expect(run(world, 'pb', 'nstat -n').stdout).toBe('');
    host.snmp.v[MIB.TcpInSegs] = 15;
    expect(run(world, 'pb', 'nstat -s TcpInSegs').stdout).toContain('TcpInSegs                       5 ');
    expect(run(world, 'pb', 'nstat TcpInSegs').stdout).toContain('TcpInSegs                       5 ');
    expect(run(world, 'pb', 'nstat --reset TcpInSegs').stdout).toContain('TcpInSegs                       15 ');
  });

  it('never prints the constants and the CurrEstab gauge', () => {
    const world = runWorld(LAB);
    const out = run(world, 'pb', 'nstat -az').stdout;
    expect(out).not.toMatch(/^(IpForwarding|IpDefaultTTL|TcpRtoMin|TcpCurrEstab) /m);
    expect(out).toMatch(/^TcpExtTCPPureAcks /m);
  });
});

describe('/proc/net/dev, softnet_stat, udp, tcp', () => {
  it('lays /proc/net/dev out as the kernel does', () => {
    const world = runWorld(LAB);
    const out = run(world, 'pb', 'cat /proc/net/dev').stdout.split('\n');
    const real = fixture('dev.txt').split('\n');
    expect(out.slice(0, 2)).toEqual(real.slice(0, 2));
    const s = world.host('pb').devByName.get('vb')!.stats;
    expect(out[3]).toBe(`    vb:${String(s.rx_bytes).padStart(8)} ${String(s.rx_packets).padStart(7)}    0    0    0     0          0         0 ${String(s.tx_bytes).padStart(8)} ${String(s.tx_packets).padStart(7)}    0    0    0     0       0          0`);
    expect(out[3]!.length).toBe(real[3]!.length);
  });

  it('prints 15 hex columns per CPU in softnet_stat, counting processed packets', () => {
    const world = runWorld(LAB);
    const lines = run(world, 'pb', 'cat /proc/net/softnet_stat').stdout.trimEnd().split('\n');
    const host = world.host('pb');
    expect(lines).toHaveLength(host.cpus.length);
    lines.forEach((l, i) => {
      expect(l).toMatch(/^([0-9a-f]{8} ){14}[0-9a-f]{8}$/);
      expect(parseInt(l.split(' ')[0]!, 16)).toBe(host.cpus[i]!.softnet.processed);
      expect(parseInt(l.split(' ')[12]!, 16)).toBe(i);
    });
  });

  it('shows the UDP socket\'s queued memory and drops as /proc/net/udp does', () => {
    const world = runWorld(LAB, { untilNs: 60_000_000 });
    const out = run(world, 'pb', 'cat /proc/net/udp').stdout.split('\n');
    expect(out[0]).toBe(fixture('udp.txt').split('\n')[0]);
    const sk = world.host('pb').sockets.all.find((s) => s.sport === 5000)!;
    expect(sk.drops).toBeGreaterThan(0);
    expect(out[1]).toMatch(new RegExp(`^ +\\d+: 00000000:1388 00000000:0000 07 00000000:${sk.rmemAlloc.toString(16).toUpperCase().padStart(8, '0')} 00:00000000 00000000     0        0 ${sk.inode} 2 [0-9a-f]{16} ${sk.drops} *$`));
    expect(out[1]).toHaveLength(127);
  });

  it('lists the listener then the connection in /proc/net/tcp with the real columns', () => {
    const world = runWorld(LAB, { untilNs: 1_100_000 });
    const out = run(world, 'pb', 'cat /proc/net/tcp').stdout.split('\n');
    const real = fixture('tcp.txt').split('\n');
    expect(out[0]).toBe(real[0]);
    expect(out[1]!.slice(0, 42)).toBe(real[1]!.slice(0, 42));
    expect(out[1]).toMatch(/ 100 0 0 10 0 *$/);
    expect(out[2]).toMatch(/^   1: 0200090A:01BB 0100090A:[0-9A-F]{4} 01 /);
  });

  it('prints a __be32 as the little-endian word /proc shows', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (a) => {
      const s = procAddr(a);
      const bytes = [s.slice(6, 8), s.slice(4, 6), s.slice(2, 4), s.slice(0, 2)].map((h) => parseInt(h, 16));
      return bytes.reduce((acc, b) => acc * 256 + b, 0) === a;
    }));
  });
});
