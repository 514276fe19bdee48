// Our iptables-save and iptables -L output against what the real kernel and
// iptables 1.8.9 (nf_tables) printed for the same dumps (test/fixtures/iptables,
// recorded by capture.sh in a network namespace).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { iptablesSave, parseIptablesSave } from '../../../src/netfilter/iptables/index.js';
import { runIptables } from '../../../src/tools/iptables.js';
import { TestRuleHost } from './rule_host.js';

const DIR = join(import.meta.dirname, '../../fixtures/iptables');
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.rules')).map((f) => f.slice(0, -'.rules'.length));

function load(name: string) {
  const text = readFileSync(join(DIR, `${name}.rules`), 'utf8');
  const counters = /^\[/m.test(text);
  const r = parseIptablesSave(text, `${name}.rules`, { counters });
  if (r.errors) throw new Error(r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('\n'));
  return r.ruleset;
}

/** The `### iptables ARGS` sections of NAME.list. */
function listSections(name: string): [string, string][] {
  const text = readFileSync(join(DIR, `${name}.list`), 'utf8');
  return text.split(/^### /m).filter(Boolean).map((s) => {
    const nl = s.indexOf('\n');
    return [s.slice(0, nl), s.slice(nl + 1)];
  });
}

describe('iptables-save round trip equals the kernel round trip', () => {
  test.each(fixtures)('%s', (name) => {
    const expected = readFileSync(join(DIR, `${name}.save`), 'utf8');
    const ours = iptablesSave(load(name), { counters: true }).split('\n').filter((l) => !/^# (Generated|Completed)/.test(l)).join('\n');
    expect(ours).toBe(expected);
  });
});

describe('iptables -L/-S print what iptables 1.8.9 prints', () => {
  for (const name of fixtures) {
    for (const [cmd, expected] of listSections(name)) {
      test(`${name}: ${cmd}`, () => {
        const argv = cmd.split(' ').slice(1);
        const res = runIptables(argv, load(name), new TestRuleHost());
        expect(res.stderr).toBe('');
        expect(res.stdout).toBe(expected);
      });
    }
  }
});
