import { describe, expect, it } from 'vitest';
import { toeplitzHash, reciprocalScale } from '../../src/nic/rss.js';
import { parseIpv4 } from '../../src/model/inet.js';

describe('toeplitzHash', () => {
  it('matches the Microsoft RSS verification suite for IPv4 with ports', () => {
    // Microsoft "Verifying the RSS Hash Calculation": 66.9.149.187:2794 → 161.142.100.80:1766.
    expect(toeplitzHash(parseIpv4('66.9.149.187')!, parseIpv4('161.142.100.80')!, 2794, 1766)).toBe(0x51ccc178);
    // 199.92.111.2:14230 → 65.69.140.83:4739.
    expect(toeplitzHash(parseIpv4('199.92.111.2')!, parseIpv4('65.69.140.83')!, 14230, 4739)).toBe(0xc626b0ea);
  });

  it('reciprocal_scale maps hashes onto [0, n)', () => {
    expect(reciprocalScale(0, 4)).toBe(0);
    expect(reciprocalScale(0xffffffff, 4)).toBe(3);
  });
});
