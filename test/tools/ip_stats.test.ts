import { describe, expect, it } from 'vitest';
import { fixture, LAB, run, runWorld } from './helpers.js';
import { linkStatsLines } from '../../src/tools/ip.js';

describe('ip -s link', () => {
  it('prints the loopback block byte for byte as iproute2 6.1 did', () => {
    const world = runWorld(LAB, { untilNs: 0 });
    expect(run(world, 'pb', 'ip -s link show lo').stdout).toBe(fixture('ip_s_link.txt').split('\n').slice(0, 6).join('\n') + '\n');
    expect(run(world, 'pb', 'ip -s -s link show lo').stdout).toBe(fixture('ip_ss_link.txt').split('\n').slice(0, 10).join('\n') + '\n');
  });

  it('lays out the veth counters in the real columns, the error blocks with -s -s', () => {
    const world = runWorld(LAB);
    const dev = world.host('pb').devByName.get('vb')!;
    const real = fixture('ip_ss_link.txt').split('\n').slice(12, 20);
    const ours = linkStatsLines(dev, 2).split('\n');
    expect(ours[0]).toBe(real[0]);
    expect(ours[2]).toBe(real[2]);
    expect(ours[4]).toBe(real[4]);
    expect(ours[6]).toBe(real[6]);
    expect(ours[7]).toBe(real[7]);
    expect(ours[1]).toBe(`    ${String(dev.stats.rx_bytes).padStart(10)} ${String(dev.stats.rx_packets).padStart(7)} ${'0'.padStart(6)} ${'0'.padStart(7)} ${'0'.padStart(7)} ${'0'.padStart(7)} `);
  });

  it('widens a column for a number longer than its header', () => {
    const world = runWorld(LAB, { untilNs: 0 });
    const dev = world.host('pb').devByName.get('vb')!;
    dev.stats.rx_dropped = 123456789;
    const lines = linkStatsLines(dev, 1).split('\n');
    expect(lines[0]).toBe('    RX:  bytes packets errors   dropped  missed   mcast           ');
    expect(lines[1]).toContain(' 123456789 ');
    expect(lines[2]).toBe('    TX:  bytes packets errors   dropped carrier collsns           ');
  });
});
