// Runs the built CLI (npm test builds first), as bad_input.test.ts does.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = (...args: string[]) => spawnSync('node', ['bin/pktpath.js', ...args], { encoding: 'utf8' });

describe('pktpath sweep', () => {
  it('writes the same table for --jobs 1 and --jobs 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-'));
    const a = cli('sweep', 'test/fixtures/sweep/small.yaml', '--jobs', '1', '--json', join(dir, '1.json'), '--csv', join(dir, '1.csv'));
    const b = cli('sweep', 'test/fixtures/sweep/small.yaml', '--jobs', '2', '--json', join(dir, '2.json'), '--csv', join(dir, '2.csv'), '--svg', join(dir, 'svg'));
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(readFileSync(join(dir, '1.json'), 'utf8')).toBe(readFileSync(join(dir, '2.json'), 'utf8'));
    expect(readFileSync(join(dir, '1.csv'), 'utf8')).toBe(readFileSync(join(dir, '2.csv'), 'utf8'));
    expect(readFileSync(join(dir, 'svg', 'small-throughput_gbit_s.svg'), 'utf8')).toMatch(/^<svg/);
    expect(JSON.parse(readFileSync(join(dir, '1.json'), 'utf8')).rows).toHaveLength(4);
  });

  it('exits 2 with file:line:column for a bad key path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-'));
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, readFileSync('test/fixtures/sweep/small.yaml', 'utf8').replace('traffic.0.size', 'traffic.5.size'));
    const r = cli('sweep', f);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${f}:15:3: grid.traffic.5.size: traffic.5: the base scenario's list has 1 entries\n`);
  });

  it('exits 2 for a missing file and a bad --jobs', () => {
    expect(cli('sweep', 'no/such.yaml').status).toBe(2);
    expect(cli('sweep', 'test/fixtures/sweep/small.yaml', '--jobs', 'x').stderr).toContain('--jobs');
  });
});
