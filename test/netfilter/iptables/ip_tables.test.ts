import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseIpv4 } from '../../../src/model/inet.js';
import { IP, IPPROTO, Skb, TCPHDR } from '../../../src/model/skb.js';
import { NF, NF_INET, type NfHook, NfHookEntries } from '../../../src/netfilter/hooks.js';
import { IP_CT, NF_NAT_MANIP_DST, NF_NAT_MANIP_SRC } from '../../../src/netfilter/nf_conntrack_common.js';
import { installRuleset, parseIptablesSave, type Ruleset } from '../../../src/netfilter/iptables/index.js';
import { TestRuleHost } from './rule_host.js';

const ip = (s: string): number => parseIpv4(s)!;

function setup(dump: string) {
  const r = parseIptablesSave(dump, 't');
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  const hooks = new NfHookEntries();
  const host = new TestRuleHost();
  installRuleset(r.ruleset, hooks, host);
  return { ruleset: r.ruleset, hooks, host };
}

function pkt(fields: Partial<Skb>): Skb {
  const s = new Skb();
  Object.assign(s, { saddr: ip('10.0.0.1'), daddr: ip('192.168.1.2'), protocol: IPPROTO.TCP, sport: 40000, dport: 80, len: 60, ttl: 64 }, fields);
  return s;
}

function run(hooks: NfHookEntries, hook: NfHook, skb: Skb, inDev = 'eth0', outDev = '', now = 0): number {
  return hooks.run(hook, skb, inDev, 1, outDev, outDev ? 2 : 0, now);
}

const filter = (rules: string, policy = 'ACCEPT'): string =>
  `*filter\n:INPUT ${policy} [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${rules}COMMIT\n`;

describe('ipt_do_table traversal', () => {
  test('the first matching ACCEPT ends the table; the detail names the rule', () => {
    const { hooks } = setup(filter('-A INPUT -p udp -j DROP\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -j DROP\n'));
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({}))).toBe(NF.ACCEPT);
    expect(hooks.state.detail).toBe('filter/INPUT rule 2: -p tcp -m tcp --dport 80 -j ACCEPT');
  });

  test('DROP is final with NETFILTER_DROP, and the policy applies when nothing matches', () => {
    const { hooks, ruleset } = setup(filter('-A INPUT -p udp -j DROP\n', 'DROP'));
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ protocol: IPPROTO.UDP }))).toBe(NF.DROP);
    expect(hooks.state.dropReason).toBe(12);
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ len: 40 }))).toBe(NF.DROP);
    expect(hooks.state.detail).toBe('filter/INPUT policy DROP');
    const input = ruleset.table('filter')!.chain('INPUT')!;
    expect([input.policyPkts, input.policyBytes]).toEqual([1, 40]);
  });

  test('a user chain returns to the rule after the jump; goto does not return', () => {
    const dump = filter(':J - [0:0]\n:G - [0:0]\n-A INPUT -p tcp -j J\n-A INPUT -p tcp --dport 80 -j ACCEPT\n' +
      '-A INPUT -p udp -g G\n-A INPUT -j ACCEPT\n-A J -p tcp --dport 22 -j DROP\n-A J -j RETURN\n-A G -p udp --dport 1 -j ACCEPT\n', 'DROP');
    const { hooks } = setup(dump);
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ dport: 80 }))).toBe(NF.ACCEPT);
    expect(hooks.state.detail).toContain('rule 2');
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ dport: 22 }))).toBe(NF.DROP);
    // udp to port 2 goes to G, falls off its end, and meets INPUT's policy, skipping rule 4.
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ protocol: IPPROTO.UDP, dport: 2 }))).toBe(NF.DROP);
    expect(hooks.state.detail).toBe('filter/INPUT policy DROP');
  });

  test('interface wildcards, negations and -f follow ip_packet_match', () => {
    const { hooks } = setup(filter('-A FORWARD -i veth+ ! -o eth0 -j DROP\n-A FORWARD -f -j DROP\n'));
    expect(run(hooks, NF_INET.FORWARD, pkt({}), 'veth12', 'eth1')).toBe(NF.DROP);
    expect(run(hooks, NF_INET.FORWARD, pkt({}), 'veth12', 'eth0')).toBe(NF.ACCEPT);
    expect(run(hooks, NF_INET.FORWARD, pkt({ fragOff: IP.MF }), 'eth1', 'eth0')).toBe(NF.ACCEPT);
    expect(run(hooks, NF_INET.FORWARD, pkt({ fragOff: 185 }), 'eth1', 'eth0')).toBe(NF.DROP);
  });

  test('the nat table sees only the first packet of a connection and binds NAT through conntrack', () => {
    const { hooks, host } = setup('*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n' +
      '-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.9:8080\n-A POSTROUTING -o eth1 -j MASQUERADE\nCOMMIT\n');
    expect(host.conntrackRequests).toBeGreaterThan(0);
    const first = pkt({ ctinfo: IP_CT.NEW, nfct: { status: 0, mark: 0 } });
    run(hooks, NF_INET.PRE_ROUTING, first);
    const later = pkt({ ctinfo: IP_CT.ESTABLISHED, nfct: { status: 0, mark: 0 } });
    run(hooks, NF_INET.PRE_ROUTING, later);
    run(hooks, NF_INET.POST_ROUTING, pkt({ ctinfo: IP_CT.NEW, nfct: { status: 0, mark: 0 } }), '', 'eth1');
    host.addrs.set('eth1', [ip('203.0.113.5'), 24]);
    run(hooks, NF_INET.POST_ROUTING, pkt({ ctinfo: IP_CT.NEW, nfct: { status: 0, mark: 0 } }), '', 'eth1');
    const calls = host.conntrack!.natCalls;
    expect(calls.map((c) => [c.manip, c.range.minAddr, c.range.minPort])).toEqual([
      [NF_NAT_MANIP_DST, ip('10.0.0.9'), 8080],
      [NF_NAT_MANIP_SRC, ip('203.0.113.5'), 0],
    ]);
  });

  test('conntrack state, mark and MARK/CONNMARK behave per their man pages', () => {
    const { hooks } = setup('*mangle\n:PREROUTING ACCEPT [0:0]\n' +
      '-A PREROUTING -j CONNMARK --restore-mark\n-A PREROUTING -m mark --mark 0x7 -j RETURN\n' +
      '-A PREROUTING -m conntrack --ctstate NEW -j MARK --or-mark 0x4\n-A PREROUTING -j CONNMARK --save-mark\nCOMMIT\n');
    const ct = { status: 0, mark: 0x3 };
    const s = pkt({ ctinfo: IP_CT.NEW, nfct: ct });
    run(hooks, NF_INET.PRE_ROUTING, s);
    expect(s.mark).toBe(0x7);
    expect(ct.mark).toBe(0x7);
    const t = pkt({ ctinfo: IP_CT.NEW, nfct: { status: 0, mark: 1 } });
    run(hooks, NF_INET.PRE_ROUTING, t);
    expect(t.mark).toBe(5);
    expect((t.nfct as { mark: number }).mark).toBe(5);
  });

  test('REJECT sends the configured ICMP code or a TCP reset, then drops', () => {
    const { hooks, host } = setup(filter('-A INPUT -p udp -j REJECT\n-A INPUT -p tcp -j REJECT --reject-with tcp-reset\n'));
    const u = pkt({ protocol: IPPROTO.UDP });
    expect(run(hooks, NF_INET.LOCAL_IN, u)).toBe(NF.DROP);
    expect(host.unreach).toEqual([{ skb: u.id, code: 3 }]);
    const t = pkt({});
    expect(run(hooks, NF_INET.LOCAL_IN, t)).toBe(NF.DROP);
    expect(host.resets).toEqual([t.id]);
  });

  test('LOG prints the nf_log_syslog line and the packet continues', () => {
    const { hooks, host } = setup(filter('-A INPUT -j LOG --log-prefix "in: "\n'));
    const s = pkt({ tcpFlags: TCPHDR.SYN, window: 64240, fragOff: 0x4000, ethSrc: 0x020000000001, ethDst: 0x020000000002, ethProto: 0x0800 });
    expect(run(hooks, NF_INET.LOCAL_IN, s)).toBe(NF.ACCEPT);
    expect(host.log).toEqual([
      'in: IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 SRC=10.0.0.1 DST=192.168.1.2 LEN=60 TOS=0x00 PREC=0x00 ' +
      'TTL=64 ID=0 DF PROTO=TCP SPT=40000 DPT=80 WINDOW=64240 RES=0x00 SYN URGP=0 ',
    ]);
  });

  test('TRACE logs every rule, return and policy a traced packet passes', () => {
    const { hooks, host } = setup('*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p icmp -j TRACE\nCOMMIT\n' +
      filter(':U - [0:0]\n-A INPUT -j U\n-A U -p tcp -j DROP\n'));
    const s = pkt({ protocol: IPPROTO.ICMP, icmpType: 8, icmpId: 7, icmpSeq: 1, len: 84 });
    run(hooks, NF_INET.PRE_ROUTING, s);
    run(hooks, NF_INET.LOCAL_IN, s);
    expect(host.log.map((l) => l.slice(0, l.indexOf(' IN=')))).toEqual([
      // The TRACE rule itself is not traced: nf_trace is set by its target, after the rule's trace point.
      'TRACE: raw:PREROUTING:policy:2',
      'TRACE: filter:INPUT:rule:1', 'TRACE: filter:U:return:2', 'TRACE: filter:INPUT:policy:2',
    ]);
    expect(host.log[0]).toContain('PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1 ');
  });

  test('limit refills its bucket in jiffies: burst first, then one packet per period', () => {
    const { hooks } = setup(filter('-A INPUT -m limit --limit 10/sec --limit-burst 3 -j ACCEPT\n', 'DROP'));
    const at = (ms: number): number => run(hooks, NF_INET.LOCAL_IN, pkt({}), 'eth0', '', ms * 1e6);
    expect([at(0), at(0), at(0), at(0)]).toEqual([NF.ACCEPT, NF.ACCEPT, NF.ACCEPT, NF.DROP]);
    expect(at(50)).toBe(NF.DROP);
    expect(at(100)).toBe(NF.ACCEPT);
    expect(at(100)).toBe(NF.DROP);
  });

  test('statistic nth matches every Nth packet starting after --packet', () => {
    const { hooks } = setup(filter('-A INPUT -m statistic --mode nth --every 3 --packet 0 -j DROP\n'));
    const v = Array.from({ length: 7 }, () => run(hooks, NF_INET.LOCAL_IN, pkt({})));
    expect(v).toEqual([NF.ACCEPT, NF.ACCEPT, NF.DROP, NF.ACCEPT, NF.ACCEPT, NF.DROP, NF.ACCEPT]);
  });

  test('statistic random draws from the host stream with the given probability', () => {
    const { hooks } = setup(filter('-A INPUT -m statistic --mode random --probability 0.25 -j DROP\n'));
    let drops = 0;
    for (let i = 0; i < 4000; i++) if (run(hooks, NF_INET.LOCAL_IN, pkt({})) === NF.DROP) drops++;
    expect(drops).toBeGreaterThan(900);
    expect(drops).toBeLessThan(1100);
  });

  test('recent --set then --rcheck --seconds --hitcount blocks the fourth hit within the window', () => {
    const { hooks } = setup(filter('-A INPUT -m recent --name ssh --rcheck --seconds 60 --hitcount 3 -j DROP\n' +
      '-A INPUT -m recent --name ssh --set -j ACCEPT\n'));
    const at = (s: number): number => run(hooks, NF_INET.LOCAL_IN, pkt({}), 'eth0', '', s * 1e9);
    expect([at(0), at(1), at(2), at(3)]).toEqual([NF.ACCEPT, NF.ACCEPT, NF.ACCEPT, NF.DROP]);
    expect(at(200)).toBe(NF.ACCEPT);
  });

  test('addrtype, length, ttl, icmp type and multiport select the packets their man pages describe', () => {
    const { hooks } = setup(filter('-A INPUT -m addrtype --dst-type BROADCAST -j DROP\n-A INPUT -m length --length 1000: -j DROP\n' +
      '-A INPUT -m ttl --ttl-lt 5 -j DROP\n-A INPUT -p icmp --icmp-type echo-request -j DROP\n' +
      '-A INPUT -p udp -m multiport --dports 53,5000:5010 -j DROP\n'));
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ daddr: ip('192.168.1.255') }))).toBe(NF.DROP);
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ len: 1500 }))).toBe(NF.DROP);
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ ttl: 4 }))).toBe(NF.DROP);
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ protocol: IPPROTO.ICMP, icmpType: 8 }))).toBe(NF.DROP);
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ protocol: IPPROTO.ICMP, icmpType: 0 }))).toBe(NF.ACCEPT);
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ protocol: IPPROTO.UDP, dport: 5007 }))).toBe(NF.DROP);
    expect(run(hooks, NF_INET.LOCAL_IN, pkt({ protocol: IPPROTO.UDP, dport: 5011, tcpFlags: TCPHDR.ACK }))).toBe(NF.ACCEPT);
  });

  test('tables run in priority order on one hook: raw, mangle, nat, filter', () => {
    const { hooks } = setup('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n*raw\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n*mangle\n:INPUT ACCEPT [0:0]\nCOMMIT\n' +
      '*nat\n:INPUT ACCEPT [0:0]\nCOMMIT\n*security\n:INPUT ACCEPT [0:0]\nCOMMIT\n');
    expect(hooks.ops(NF_INET.LOCAL_IN).map((o) => `${o.name}@${o.priority}`)).toEqual(['mangle@-150', 'filter@0', 'security@50', 'nat@100']);
    expect(hooks.ops(NF_INET.PRE_ROUTING).map((o) => `${o.name}@${o.priority}`)).toEqual(['raw@-300', 'mangle@-150', 'nat@-100']);
  });
});

/** A random small ruleset over ports and protocols, with user chains, jumps, gotos and returns. */
const ruleArb = fc.record({
  proto: fc.constantFrom('', '-p tcp ', '-p udp '),
  port: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  verdict: fc.constantFrom('-j ACCEPT', '-j DROP', '-j RETURN', '-j U1', '-g U2', ''),
});

describe('counters', () => {
  test('every packet that reaches a chain is counted on exactly one rule that decided it or on the policy', () => {
    fc.assert(fc.property(
      fc.array(ruleArb, { maxLength: 8 }), fc.array(ruleArb, { maxLength: 4 }), fc.array(ruleArb, { maxLength: 4 }),
      fc.array(fc.record({ proto: fc.constantFrom(IPPROTO.TCP, IPPROTO.UDP), dport: fc.integer({ min: 1, max: 4 }), len: fc.integer({ min: 20, max: 1500 }) }), { maxLength: 30 }),
      (main, u1, u2, packets) => {
        const line = (chain: string, r: fc.RecordValue<{ proto: string; port: number | undefined; verdict: string }>, allowJumps: boolean): string => {
          const port = r.port !== undefined && r.proto ? `--dport ${r.port} ` : '';
          const verdict = !allowJumps && (r.verdict === '-j U1' || r.verdict === '-g U2') ? '' : r.verdict;
          return `-A ${chain} ${r.proto}${port}${verdict}\n`;
        };
        const dump = filter(':U1 - [0:0]\n:U2 - [0:0]\n' + main.map((r) => line('INPUT', r, true)).join('') +
          u1.map((r) => line('U1', r, false)).join('') + u2.map((r) => line('U2', r, false)).join(''));
        const { hooks, ruleset } = setup(dump);
        let verdictBytes = 0;
        for (const p of packets) {
          run(hooks, NF_INET.LOCAL_IN, pkt({ protocol: p.proto, dport: p.dport, len: p.len }));
          verdictBytes += p.len;
        }
        const t = ruleset.table('filter')!;
        const input = t.chain('INPUT')!;
        // Each packet ends in exactly one place: a terminal ACCEPT/DROP rule or INPUT's policy.
        const terminal = (rs: Ruleset) => rs.table('filter')!.chains.flatMap((c) => c.rules)
          .filter((r) => r.targetName === 'ACCEPT' || r.targetName === 'DROP');
        const ended = terminal(ruleset).reduce((n, r) => n + r.pkts, 0) + input.policyPkts;
        expect(ended).toBe(packets.length);
        const endedBytes = terminal(ruleset).reduce((n, r) => n + r.bytes, 0) + input.policyBytes;
        expect(endedBytes).toBe(verdictBytes);
        // INPUT's first rule sees every packet: its counter is the number of packets its header selects.
        if (main.length > 0) {
          const r0 = main[0]!;
          const want = packets.filter((p) => (r0.proto === '' || (r0.proto === '-p tcp ') === (p.proto === IPPROTO.TCP)) &&
            (r0.port === undefined || r0.proto === '' || p.dport === r0.port)).length;
          expect(input.rules[0]!.pkts).toBe(want);
        }
      },
    ), { numRuns: 200 });
  });

  test('a packet costs one rule evaluation per rule it traverses: 1,000 non-matching rules, 1,000 evaluations', () => {
    for (const n of [10, 100, 1000]) {
      const rules = Array.from({ length: n }, (_, i) => `-A INPUT -p tcp --dport ${10000 + i} -j DROP\n`).join('');
      const { hooks, ruleset } = setup(filter(rules + '-A INPUT -p tcp --dport 80 -j ACCEPT\n'));
      run(hooks, NF_INET.LOCAL_IN, pkt({ dport: 80 }));
      expect(hooks.state.rulesEvaluated).toBe(n + 1);
      run(hooks, NF_INET.LOCAL_IN, pkt({ dport: 10000 }));
      expect(hooks.state.rulesEvaluated).toBe(1);
      expect(ruleset.table('filter')!.chain('INPUT')!.rules[n]!.pkts).toBe(1);
    }
  });
});
