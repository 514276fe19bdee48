import { describe, expect, it } from 'vitest';
import { runFile } from '../scenario/run_helpers.js';

const result = runFile('scenarios/firewall-verdicts.yaml', { collectTrace: false });
const outputOf = (cmd: string): string => {
  const c = result.summary.commands.find((x) => x.command === cmd);
  if (!c) throw new Error(`no output for ${cmd}`);
  return c.stdout;
};
const ruleRow = (target: string, tail: string): number[] => {
  const line = outputOf('iptables -L -v -n -x').split('\n').find((l) => l.includes(target) && l.includes(tail));
  if (!line) throw new Error(`no ${target} ${tail} rule`);
  const [pkts, bytes] = line.trim().split(/\s+/);
  return [Number(pkts), Number(bytes)];
};

describe('firewall-verdicts scenario', () => {
  it('meets every expectation it declares', () => {
    for (const e of result.summary.expectations) expect(e.ok, e.message).toBe(true);
  });

  it('counts one packet on each first-packet rule and one on the DROP policy', () => {
    expect(ruleRow('ACCEPT', 'tcp dpt:443')).toEqual([1, 60]);
    expect(ruleRow('REJECT', 'tcp dpt:22')).toEqual([1, 60]);
    expect(ruleRow('REJECT', 'udp dpt:53')[0]).toBe(1);
    expect(ruleRow('LOG', 'prefix "DROP: "')).toEqual([1, 60]);
    expect(ruleRow('ACCEPT', 'ctstate RELATED,ESTABLISHED')[0]).toBeGreaterThan(1);
    expect(outputOf('iptables -L -v -n -x')).toContain('Chain INPUT (policy DROP 1 packets, 60 bytes)');
  });

  it('answers port 22 with a netfilter RST that TcpOutRsts does not count, and udp 53 with port unreachable', () => {
    const client = result.summary.hosts.client!.counters;
    const server = result.summary.hosts.server!.counters;
    expect(client.TcpInErrs ?? 0).toBe(0);
    expect(client.TcpAttemptFails).toBe(1);
    expect(server.TcpOutRsts ?? 0).toBe(0);
    expect(client.IcmpInDestUnreachs).toBe(1);
    expect(server.IcmpOutDestUnreachs).toBe(1);
  });

  it('lists the 443 flow ASSURED in conntrack -L', () => {
    const line = outputOf('conntrack -L').split('\n').find((l) => l.includes('dport=443 '));
    expect(line).toBeDefined();
    expect(line).toContain('[ASSURED]');
  });

  it('logs the 8080 SYN with the LOG prefix and drops it under NETFILTER_DROP', () => {
    expect(outputOf('dmesg')).toMatch(/DROP: IN=eth0 .*PROTO=TCP .*DPT=8080 .*SYN/);
    // The policy drop and the two REJECTs (REJECT's verdict is NF_DROP). Plus the stray SYN+FIN dropped as INVALID.
    expect(result.summary.drops.NETFILTER_DROP).toBe(4);
  });
});
