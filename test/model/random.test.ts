import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RandomStream, RandomStreams } from '../../src/model/random.js';

function draw(s: RandomStream, n: number): number[] {
  return Array.from({ length: n }, () => s.nextU32());
}

describe('seeded random streams', () => {
  it('the same name and seed give the same stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.string({ maxLength: 20 }), (seed, name) => {
        expect(draw(new RandomStream(seed, name), 16)).toEqual(draw(new RandomStream(seed, name), 16));
        expect(draw(new RandomStreams(seed).get(name), 16)).toEqual(draw(new RandomStream(seed, name), 16));
      }),
      { numRuns: 30, seed: 1 },
    );
  });

  it('different names or different seeds give different streams', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (seed, a, b) => {
        fc.pre(a !== b);
        expect(draw(new RandomStream(seed, a), 8)).not.toEqual(draw(new RandomStream(seed, b), 8));
        expect(draw(new RandomStream(seed, a), 8)).not.toEqual(draw(new RandomStream(seed + 1, a), 8));
      }),
      { numRuns: 30, seed: 2 },
    );
  });

  it('adding a stream, or drawing from another, does not shift a stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 5 }), (seed, others) => {
        const alone = new RandomStreams(seed);
        const expected = draw(alone.get('link:a:eth0-b:eth0'), 32);
        const crowded = new RandomStreams(seed);
        const mine = crowded.get('link:a:eth0-b:eth0');
        const got: number[] = [];
        for (let i = 0; i < 32; i++) {
          for (const o of others) if (o !== 'link:a:eth0-b:eth0') crowded.get(o).nextU32();
          got.push(mine.nextU32());
        }
        expect(got).toEqual(expected);
      }),
      { numRuns: 20, seed: 3 },
    );
  });

  it('int and next stay in range', () => {
    const s = new RandomStream(7, 'range');
    for (let i = 0; i < 500; i++) {
      const x = s.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const k = s.int(-3, 4);
      expect(Number.isInteger(k) && k >= -3 && k <= 4).toBe(true);
    }
    expect(s.chance(0)).toBe(false);
  });
});
