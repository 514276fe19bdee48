import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Scheduler } from '../../src/model/scheduler.js';

type Log = [number, number][];

function record(sim: Scheduler, log: Log, id: number): void {
  log.push([sim.now, id]);
}

describe('Scheduler', () => {
  it('runs events in (time, insertion order), including events scheduled while running', () => {
    const plan = fc.array(
      fc.record({ t: fc.integer({ min: 0, max: 50 }), children: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 3 }) }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(plan, (events) => {
        const sim = new Scheduler();
        const log: Log = [];
        // Reference: every scheduled event with its time and global sequence number.
        const ref: { t: number; seq: number; id: number }[] = [];
        let seq = 0;
        let nextId = 0;
        const schedule = (t: number, children: number[]): void => {
          const id = nextId++;
          ref.push({ t: Math.max(t, sim.now), seq: seq++, id });
          sim.at(t, (s, a: number, kids: number[]) => {
            record(s, log, a);
            for (const d of kids) schedule(s.now + d, []);
          }, id, children);
        };
        for (const e of events) schedule(e.t, e.children);
        expect(sim.run()).toBe('idle');
        const expected = [...ref].sort((a, b) => a.t - b.t || a.seq - b.seq).map((e) => [e.t, e.id]);
        expect(log).toEqual(expected);
        expect(sim.dispatched).toBe(ref.length);
        expect(sim.pending).toBe(0);
      }),
      { numRuns: 30, seed: 3 },
    );
  });

  it('run(until) stops before later events, leaves them pending, and sets now to until', () => {
    const sim = new Scheduler();
    const log: Log = [];
    for (const t of [5, 10, 15, 20]) sim.at(t, record, log, t);
    expect(sim.run(12)).toBe('until');
    expect(log.map(([, id]) => id)).toEqual([5, 10]);
    expect(sim.now).toBe(12);
    expect(sim.pending).toBe(2);
    // An event exactly at `until` still runs.
    expect(sim.run(15)).toBe('until');
    expect(log.map(([, id]) => id)).toEqual([5, 10, 15]);
    expect(sim.run(100)).toBe('idle');
    expect(sim.now).toBe(100);
  });

  it('the event cap stops after exactly maxEvents and a later run resumes in order', () => {
    const sim = new Scheduler();
    const log: Log = [];
    for (let i = 0; i < 10; i++) sim.at(i, record, log, i);
    expect(sim.run(Infinity, 4)).toBe('event-cap');
    expect(sim.dispatched).toBe(4);
    expect(sim.pending).toBe(6);
    expect(sim.now).toBe(3);
    expect(sim.run()).toBe('idle');
    expect(log.map(([, id]) => id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('an event scheduled in the past runs now, after events already due now', () => {
    const sim = new Scheduler();
    const log: Log = [];
    sim.at(10, (s) => {
      s.at(3, record, log, 'past');
      record(s, log, 0);
    });
    sim.at(10, record, log, 1);
    sim.run();
    expect(log).toEqual([[10, 0], [10, 1], [10, 'past']]);
  });

  it('stop() ends the run after the current event', () => {
    const sim = new Scheduler();
    const log: Log = [];
    sim.at(1, (s) => s.stop());
    sim.at(2, record, log, 2);
    expect(sim.run()).toBe('stopped');
    expect(log).toEqual([]);
    expect(sim.run()).toBe('idle');
    expect(log).toEqual([[2, 2]]);
  });
});
