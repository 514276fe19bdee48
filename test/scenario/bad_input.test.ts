import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileScenario } from '../../src/scenario/build.js';
import { formatDiagnostic } from '../../src/scenario/diagnostics.js';

const TWO_HOSTS = 'name: x\nhosts:\n  a:\n    nics: { eth0: { addr: 10.0.0.1/24 } }\n  b:\n    nics: { eth0: { addr: 10.0.0.2/24 } }\n';

/** Each bad-input class, and the one line it must produce (`FILE` is the file name). */
const CASES: { what: string; text: string; line: string }[] = [
  {
    what: 'malformed YAML',
    text: 'name: x\nhosts:\n  a:\n    nics: { eth0: { addr: 10.0.0.1/24 }\n',
    line: 'FILE:5:1: Flow map in block collection must be sufficiently indented and end with a }',
  },
  { what: 'an unknown key', text: 'name: x\nhosts:\n  a:\n    cpuz: 2\n', line: 'FILE:4:5: hosts.a.cpuz: unknown key "cpuz"' },
  { what: 'a wrong type', text: 'name: x\nhosts:\n  a:\n    cpus: two\n', line: 'FILE:4:11: hosts.a.cpus: expected number, got a string ("two")' },
  {
    what: 'an MTU below 68',
    text: 'name: x\nhosts:\n  a:\n    nics:\n      eth0: { addr: 10.0.0.1/24, mtu: 60 }\n',
    line: 'FILE:5:39: hosts.a.nics.eth0.mtu: mtu must be at least 68 (got 60)',
  },
  {
    what: 'a prefix above 32',
    text: 'name: x\nhosts:\n  a:\n    nics:\n      eth0: { addr: 10.0.0.1/33 }\n',
    line: 'FILE:5:21: hosts.a.nics.eth0.addr: prefix length 33 is above 32',
  },
  {
    what: 'a link to an unknown host',
    text: `${TWO_HOSTS}links:\n  - { a: a:eth0, b: nosuch:eth0 }\n`,
    line: 'FILE:8:21: links.0.b: unknown host "nosuch"',
  },
  {
    what: 'a negative rate',
    text: `${TWO_HOSTS}links:\n  - { a: a:eth0, b: b:eth0, rate: -5Gbit }\n`,
    line: 'FILE:8:35: links.0.rate: "-5Gbit" is not a positive rate (use e.g. 10Gbit, 100Mbit)',
  },
  {
    what: 'a zero rate',
    text: `${TWO_HOSTS}links:\n  - { a: a:eth0, b: b:eth0, rate: 0Gbit }\n`,
    line: 'FILE:8:35: links.0.rate: "0Gbit" is not a positive rate (use e.g. 10Gbit, 100Mbit)',
  },
  {
    what: 'a bad time',
    text: 'name: x\nduration: 5 parsecs\nhosts:\n  a: {}\n',
    line: 'FILE:2:11: duration: "5 parsecs" is not a time (use e.g. 500ms, 2s, 10us, 750ns)',
  },
  { what: 'a missing required key', text: 'hosts:\n  a: {}\n', line: 'FILE:1:1: missing required key "name"' },
];

const dir = mkdtempSync(join(tmpdir(), 'pktpath-bad-'));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', ['bin/pktpath.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectUsageError(r: { status: number | null; stdout: string; stderr: string }, line: string): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`${line}\n`);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
}

describe('bad scenario input', () => {
  for (const c of CASES) {
    it(`${c.what}: one positioned diagnostic from compileScenario`, () => {
      const r = compileScenario(c.text, 'bad.yaml');
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.errors.map(formatDiagnostic)).toEqual([c.line.replace('FILE', 'bad.yaml')]);
    });

    it(`${c.what}: the CLI prints that line and exits 2 without a stack trace`, () => {
      const file = join(dir, `${c.what.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(file, c.text);
      expectUsageError(cli('run', file), c.line.replace('FILE', file));
    });
  }
});

describe('bad command-line input', () => {
  it('a missing file', () => {
    const file = join(dir, 'does-not-exist.yaml');
    expectUsageError(cli('run', file), `${file}: cannot read scenario: no such file`);
  });

  it('--until abc', () => {
    expectUsageError(cli('run', 'scenarios/forward-udp.yaml', '--until', 'abc'), '--until: "abc" is not a time (use e.g. 500ms, 2s, 10us, 750ns or end)');
  });

  it('--format xml', () => {
    expectUsageError(cli('run', 'scenarios/forward-udp.yaml', '--format', 'xml'), '--format: "xml" is not text or json');
  });
});
