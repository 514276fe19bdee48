import { describe, expect, it } from 'vitest';
import { TCPHDR } from '../../src/model/skb.js';
import { runConntrack } from '../../src/tools/conntrack.js';
import { advance, icmp, inbound, outbound, rig, tcp, udp, type Rig } from '../netfilter/conntrack/helpers.js';

const SUMMARY = (n: number) => `conntrack v1.4.7 (conntrack-tools): ${n} flow entries have been shown.\n`;

/** The traffic of the real-tool check: a ping, a replied and an unreplied UDP flow, one TCP handshake. */
function traffic(r: Rig): void {
  inbound(r, icmp('10.9.0.1', '10.9.0.2', 8, 0, 4660, 1));
  outbound(r, icmp('10.9.0.2', '10.9.0.1', 0, 0, 4660, 1));
  inbound(r, udp('10.9.0.1', 41480, '10.9.0.2', 6001));
  outbound(r, udp('10.9.0.2', 6001, '10.9.0.1', 41480));
  inbound(r, udp('10.9.0.1', 41480, '10.9.0.2', 6002));
  inbound(r, tcp('10.9.0.1', 38856, '10.9.0.2', 5001, TCPHDR.SYN, 1000, 0, 64240));
  outbound(r, tcp('10.9.0.2', 5001, '10.9.0.1', 38856, TCPHDR.SYN | TCPHDR.ACK, 5000, 1001, 65160));
  inbound(r, tcp('10.9.0.1', 38856, '10.9.0.2', 5001, TCPHDR.ACK, 1001, 5001, 502));
}

describe('conntrack -L', () => {
  it('prints each entry in conntrack-tools 1.4.7 format and the summary on stderr', () => {
    const r = rig();
    traffic(r);
    advance(r, 1);
    const res = runConntrack(['-L'], r.ct, r.sim.now);
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toBe(SUMMARY(4));
    const lines = res.stdout.trimEnd().split('\n').sort();
    expect(lines).toEqual([
      'icmp     1 29 src=10.9.0.1 dst=10.9.0.2 type=8 code=0 id=4660 src=10.9.0.2 dst=10.9.0.1 type=0 code=0 id=4660 mark=0 use=1',
      'tcp      6 431999 ESTABLISHED src=10.9.0.1 dst=10.9.0.2 sport=38856 dport=5001 src=10.9.0.2 dst=10.9.0.1 sport=5001 dport=38856 [ASSURED] mark=0 use=1',
      'udp      17 29 src=10.9.0.1 dst=10.9.0.2 sport=41480 dport=6001 src=10.9.0.2 dst=10.9.0.1 sport=6001 dport=41480 mark=0 use=1',
      'udp      17 29 src=10.9.0.1 dst=10.9.0.2 sport=41480 dport=6002 [UNREPLIED] src=10.9.0.2 dst=10.9.0.1 sport=6002 dport=41480 mark=0 use=1',
    ]);
  });

  it('filters by protocol, ports, addresses, state and mark', () => {
    const r = rig();
    traffic(r);
    const count = (argv: string[]) => runConntrack(argv, r.ct, r.sim.now).stdout.split('\n').filter(Boolean).length;
    expect(count(['-L', '-p', 'udp'])).toBe(2);
    expect(count(['-L', '-p', 'udp', '--dport', '6001'])).toBe(1);
    expect(count(['-L', '-p', 'tcp', '--state', 'ESTABLISHED'])).toBe(1);
    expect(count(['-L', '-p', 'tcp', '--state', 'TIME_WAIT'])).toBe(0);
    expect(count(['-L', '-s', '10.9.0.1', '-d', '10.9.0.2'])).toBe(4);
    expect(count(['-L', '-s', '10.9.0.2'])).toBe(0);
    expect(count(['-L', '-m', '0'])).toBe(4);
    expect(count(['-L', '-m', '1'])).toBe(0);
  });

  it('-o extended adds the layer 3 prefix', () => {
    const r = rig();
    inbound(r, udp('10.9.0.1', 41480, '10.9.0.2', 6002));
    expect(runConntrack(['-L', '-o', 'extended'], r.ct, 0).stdout).toBe(
      'ipv4     2 udp      17 30 src=10.9.0.1 dst=10.9.0.2 sport=41480 dport=6002 [UNREPLIED] src=10.9.0.2 dst=10.9.0.1 sport=6002 dport=41480 mark=0 use=1\n');
  });

  it('rejects bad input as the real tool does, with exit code 2', () => {
    const r = rig();
    const cases: [string[], string][] = [
      [['-L', '--state', 'TIME_WAIT'], "unknown option `--state'"],
      [['-L', '--dport', '5001'], "unknown option `--dport'"],
      [['-L', '-p', 'foo'], "`foo' unsupported protocol"],
      [['-L', '-p', 'tcp', '--state', 'FOO'], "unknown TCP state `FOO'"],
      [['-L', '-s', '1.2.3.999'], "Invalid IP address `1.2.3.999'"],
      [['-L', '-F'], 'Invalid commands combination'],
      [['-L', '-s'], "option `-s' requires an argument"],
      [['--bogus'], "unknown option `--bogus'"],
    ];
    for (const [argv, msg] of cases) {
      const res = runConntrack(argv, r.ct, 0);
      expect(res.exitCode).toBe(2);
      expect(res.stderr).toBe(`conntrack v1.4.7 (conntrack-tools): ${msg}\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`);
    }
  });
});

describe('conntrack -D / -F / -C / -S / -E', () => {
  it('-D prints the deleted entries and exits 1 when nothing matched', () => {
    const r = rig();
    traffic(r);
    const res = runConntrack(['-D', '-p', 'udp', '--dport', '6001'], r.ct, 0);
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toBe('conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n');
    expect(res.stdout).toContain('dport=6001');
    const again = runConntrack(['-D', '-p', 'udp', '--dport', '6001'], r.ct, 0);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toBe('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n');
  });

  it('-F empties the table and -C counts', () => {
    const r = rig();
    traffic(r);
    expect(runConntrack(['-C'], r.ct, 0).stdout).toBe('4\n');
    const res = runConntrack(['-F'], r.ct, 0);
    expect(res.stderr).toBe('conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n');
    expect(runConntrack(['-C'], r.ct, 0).stdout).toBe('0\n');
  });

  it('-S prints one line per CPU', () => {
    const r = rig({ ncpus: 2 });
    expect(runConntrack(['-S'], r.ct, 0).stdout).toBe(
      'cpu=0   \tfound=0 invalid=0 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=0 clash_resolve=0 chaintoolong=0 \n' +
      'cpu=1   \tfound=0 invalid=0 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=0 clash_resolve=0 chaintoolong=0 \n');
  });

  it('-E replays NEW/UPDATE/DESTROY events as the real tool printed them', () => {
    const r = rig();
    inbound(r, tcp('10.9.0.1', 38856, '10.9.0.2', 5001, TCPHDR.SYN, 1000, 0, 64240));
    outbound(r, tcp('10.9.0.2', 5001, '10.9.0.1', 38856, TCPHDR.SYN | TCPHDR.ACK, 5000, 1001, 65160));
    inbound(r, tcp('10.9.0.1', 38856, '10.9.0.2', 5001, TCPHDR.ACK, 1001, 5001, 502));
    runConntrack(['-F'], r.ct, 0, { pid: () => 5174, rover: () => 2674693626 });
    const res = runConntrack(['-E'], r.ct, 0);
    expect(res.stdout.split('\n').filter(Boolean)).toEqual([
      '    [NEW] tcp      6 120 SYN_SENT src=10.9.0.1 dst=10.9.0.2 sport=38856 dport=5001 [UNREPLIED] src=10.9.0.2 dst=10.9.0.1 sport=5001 dport=38856',
      ' [UPDATE] tcp      6 60 SYN_RECV src=10.9.0.1 dst=10.9.0.2 sport=38856 dport=5001 src=10.9.0.2 dst=10.9.0.1 sport=5001 dport=38856',
      ' [UPDATE] tcp      6 432000 ESTABLISHED src=10.9.0.1 dst=10.9.0.2 sport=38856 dport=5001 src=10.9.0.2 dst=10.9.0.1 sport=5001 dport=38856 [ASSURED]',
      // Deleted by `conntrack -F`, whose one netlink socket took its pid.
      '[DESTROY] tcp      6 432000 ESTABLISHED src=10.9.0.1 dst=10.9.0.2 sport=38856 dport=5001 src=10.9.0.2 dst=10.9.0.1 sport=5001 dport=38856 [ASSURED] [USERSPACE] portid=5174',
    ]);
    expect(res.stderr).toBe('conntrack v1.4.7 (conntrack-tools): 4 flow events have been shown.\n');
  });

  it('-E shows a DESTROY of an expired entry without its timeout, and counters on DESTROY only (as 6.18 printed them)', () => {
    const r = rig({ sysctl: { nf_conntrack_acct: 1 } });
    inbound(r, udp('10.77.0.1', 45057, '10.77.0.2', 5003, 1));
    advance(r, 130);
    expect(r.ct.count).toBe(0);
    expect(runConntrack(['-E'], r.ct, r.sim.now).stdout.split('\n').filter(Boolean)).toEqual([
      '    [NEW] udp      17 30 src=10.77.0.1 dst=10.77.0.2 sport=45057 dport=5003 [UNREPLIED] src=10.77.0.2 dst=10.77.0.1 sport=5003 dport=45057',
      '[DESTROY] udp      17 src=10.77.0.1 dst=10.77.0.2 sport=45057 dport=5003 packets=1 bytes=29 [UNREPLIED] src=10.77.0.2 dst=10.77.0.1 sport=5003 dport=45057 packets=0 bytes=0',
    ]);
  });

  it('-E shows a DESTROY requested by conntrack -D with the time left and the port of its second netlink socket', () => {
    const r = rig();
    inbound(r, udp('10.77.0.1', 43243, '10.77.0.2', 5005));
    advance(r, 2);
    runConntrack(['-D', '-p', 'udp'], r.ct, r.sim.now, { pid: () => 5180, rover: () => 2674693626 });
    expect(runConntrack(['-E'], r.ct, r.sim.now).stdout.split('\n').filter(Boolean)).toEqual([
      '    [NEW] udp      17 30 src=10.77.0.1 dst=10.77.0.2 sport=43243 dport=5005 [UNREPLIED] src=10.77.0.2 dst=10.77.0.1 sport=5005 dport=43243',
      '[DESTROY] udp      17 28 src=10.77.0.1 dst=10.77.0.2 sport=43243 dport=5005 [UNREPLIED] src=10.77.0.2 dst=10.77.0.1 sport=5005 dport=43243 [USERSPACE] portid=2674693626',
    ]);
  });
});

describe('/proc views', () => {
  it('/proc/net/nf_conntrack adds ipv4 and zone=0, use=2', () => {
    const r = rig();
    inbound(r, udp('10.9.0.1', 41480, '10.9.0.2', 6002));
    expect(r.ct.procNfConntrack()).toBe(
      'ipv4     2 udp      17 30 src=10.9.0.1 dst=10.9.0.2 sport=41480 dport=6002 [UNREPLIED] src=10.9.0.2 dst=10.9.0.1 sport=6002 dport=41480 mark=0 zone=0 use=2\n');
  });

  it('/proc/net/stat/nf_conntrack has the 6.18 header and hex rows', () => {
    const r = rig({ ncpus: 2 });
    inbound(r, udp('10.9.0.1', 1, '10.9.0.2', 2));
    const lines = r.ct.procStatNfConntrack().split('\n');
    expect(lines[0]).toBe('entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart');
    expect(lines[1]).toBe('00000001  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000');
  });
});
