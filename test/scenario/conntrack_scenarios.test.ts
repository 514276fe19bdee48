import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { simulate } from '../../src/index.js';

describe('conntrack scenarios meet their expectations', () => {
  for (const name of ['conntrack-exhaustion', 'dnat-forward', 'firewall-verdicts']) {
    it(`${name}: every expect: check passes`, () => {
      const { summary } = simulate(readFileSync(`scenarios/${name}.yaml`, 'utf8'), `${name}.yaml`);
      expect(summary.expectations.filter((e) => !e.ok).map((e) => e.message)).toEqual([]);
      expect(summary.expectations.length).toBeGreaterThan(0);
    });
  }

  it('conntrack-exhaustion: the count sits at the max before the fix and the log says why', () => {
    const { summary } = simulate(readFileSync('scenarios/conntrack-exhaustion.yaml', 'utf8'), 'conntrack-exhaustion.yaml');
    const at50 = summary.commands.filter((c) => c.t === 50e6 && c.host === 'web');
    expect(at50[0]!.stdout).toBe('net.netfilter.nf_conntrack_count = 64\n');
    expect(at50.find((c) => c.command === 'dmesg')!.stdout).toContain('nf_conntrack: nf_conntrack: table full, dropping packet');
  });
});
