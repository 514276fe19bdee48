// Time travel and placement, without a browser: the folded state at any
// position is the same whatever order positions are visited in, and events land
// in the box of the seed's diagram the design's stage table names.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TraceIndex, CHECKPOINT } from '../../viz/src/trace/trace_index.js';
import { applyEvent, initialState } from '../../viz/src/trace/fold.js';
import { ALL_BOXES, placeEvent } from '../../viz/src/trace/layout.js';
import { parseGauges } from '../../viz/src/trace/gauge.js';
import { parseTraceText } from '../../viz/src/trace/load.js';
import { questionFor } from '../../viz/src/tour/predict.js';
import type { TraceEvent } from '../../viz/src/trace/event.js';

const STAGES: [TraceEvent['flow'], number, string][] = [
  ['inbound', 1, 'nic-rx'], ['inbound', 4, 'gro'], ['inbound', 6, 'nf-prerouting'], ['inbound', 7, 'route-input'],
  ['inbound', 8, 'nf-input'], ['inbound', 10, 'sock-rcvq'], ['forward', 8, 'nf-forward'], ['forward', 6, 'nf-postrouting'],
  ['outbound', 7, 'dev-qdisc'], ['outbound', 10, 'nic-tx'], ['inbound', 10, 'drop'], ['forward', 6, 'conntrack'],
];

const eventArb = fc.record({
  host: fc.constantFrom('client', 'router', 'server'),
  cpu: fc.integer({ min: 0, max: 3 }),
  skb: fc.integer({ min: 1, max: 20 }),
  stage: fc.integer({ min: 0, max: STAGES.length - 1 }),
  verdict: fc.constantFrom(undefined, 'accept', 'drop'),
  q: fc.integer({ min: 0, max: 1000 }),
});

function toEvents(raw: fc.RecordValue<typeof eventArb extends fc.Arbitrary<infer T> ? T : never>[]): TraceEvent[] {
  return raw.map((r, i) => {
    const [flow, step, stage] = STAGES[r.stage]!;
    const ev: TraceEvent = {
      t: i * 100, host: r.host, cpu: r.cpu, skb: r.skb, flow, step, stage, fn: 'f',
      detail: `qlen ${r.q}/1000`,
    };
    if (r.verdict !== undefined) ev.verdict = r.verdict;
    if (r.verdict === 'drop') ev.reason = 'NETFILTER_DROP';
    return ev;
  });
}

/** The state after events[0..i], folded from nothing. */
function foldFromScratch(ix: TraceIndex, i: number): unknown {
  const s = initialState(ix.hosts);
  for (let j = 0; j <= i; j++) applyEvent(s, ix.events[j]!, ix.boxKey(j), j);
  return JSON.parse(JSON.stringify(s));
}

describe('TraceIndex', () => {
  it('stateAt(i) equals the fold of events 0..i whatever positions were visited before', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: CHECKPOINT * 3 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
        (raw, visits) => {
          const ix = new TraceIndex(toEvents(raw));
          for (const v of visits) {
            const i = (v % (ix.length + 1)) - 1;
            expect(JSON.parse(JSON.stringify(ix.stateAt(i)))).toEqual(foldFromScratch(ix, i));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rebuilds positions across checkpoints exactly, stepping back and jumping far', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: CHECKPOINT * 2 + 7, maxLength: CHECKPOINT * 4, size: 'max' }), (raw) => {
        const ix = new TraceIndex(toEvents(raw));
        const n = ix.length;
        for (const i of [n - 1, CHECKPOINT, CHECKPOINT - 1, 0, -1, n - 2, CHECKPOINT * 2 + 3, CHECKPOINT * 2 + 2]) {
          expect(JSON.parse(JSON.stringify(ix.stateAt(i)))).toEqual(foldFromScratch(ix, i));
        }
      }),
      { numRuns: 5 },
    );
  });

  it('served states are frozen, so a view cannot change history', () => {
    const ix = new TraceIndex(toEvents([{ host: 'a', cpu: 0, skb: 1, stage: 0, verdict: undefined, q: 1 }]));
    const s = ix.stateAt(0);
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.hosts.a!.passed)).toBe(true);
  });

  it('finds drops and a packet\'s neighbouring events by binary search', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 300 }), fc.nat(), (raw, at) => {
        const events = toEvents(raw);
        const ix = new TraceIndex(events);
        const i = at % events.length;
        const drops = events.map((e, k) => (e.verdict === 'drop' || e.stage === 'drop' ? k : -1)).filter((k) => k >= 0);
        expect(ix.nextDrop(i)).toBe(drops.find((k) => k > i) ?? -1);
        expect(ix.prevDrop(i)).toBe([...drops].reverse().find((k) => k < i) ?? -1);
        const skb = events[i]!.skb;
        expect(ix.nextOfSkb(skb, i)).toBe(events.findIndex((e, k) => k > i && e.skb === skb));
        const before = events.map((e, k) => (k < i && e.skb === skb ? k : -1)).filter((k) => k >= 0);
        expect(ix.prevOfSkb(skb, i)).toBe(before.length ? before[before.length - 1]! : -1);
      }),
      { numRuns: 100 },
    );
  });
});

describe('placeEvent', () => {
  const ev = (flow: TraceEvent['flow'], step: number, stage: string): TraceEvent =>
    ({ t: 0, host: 'r', cpu: 0, skb: 1, flow, step, stage, fn: '', detail: '' });

  it('puts every seed step in the box with that number', () => {
    for (const b of ALL_BOXES) {
      const flow = b.key === 'in:8f' ? 'forward' : b.column === 'in' ? 'inbound' : 'outbound';
      expect(placeEvent(ev(flow, b.step, b.slug), undefined)).toBe(b.key);
    }
  });

  it('sends a forwarded packet past FORWARD to the outbound column (inbound 1-8, then outbound 6-10)', () => {
    const after = { column: 'in' as const, step: 8, slug: 'nf-forward' };
    expect(placeEvent(ev('forward', 6, 'nat'), after)).toBe('out:6');
    expect(placeEvent(ev('forward', 8, 'drop'), { column: 'in', step: 7, slug: 'route-input' })).toBe('in:8f');
    expect(placeEvent(ev('forward', 6, 'conntrack'), { column: 'in', step: 5, slug: 'cpu-backlog' })).toBe('in:6');
  });

  it('keeps extra stages in the box of the step they happen within', () => {
    expect(placeEvent(ev('inbound', 4, 'gro'), undefined)).toBe('in:4');
    expect(placeEvent(ev('outbound', 8, 'gso'), undefined)).toBe('out:8');
    expect(placeEvent(ev('outbound', 10, 'tx-complete'), undefined)).toBe('out:10');
    expect(placeEvent(ev('inbound', 0, 'drop'), { column: 'in', step: 9, slug: 'l4-rx' })).toBe('in:9');
  });
});

describe('parseGauges', () => {
  it('names each n/max by the word before it, skipping filler words', () => {
    expect(parseGauges('DMA into rx ring 0 descriptor; ring holds 12/256')).toEqual([{ label: 'ring', value: 12, max: 256 }]);
    expect(parseGauges('enqueue_to_backlog, input_pkt_queue 3/1000')).toEqual([{ label: 'input_pkt_queue', value: 3, max: 1000 }]);
    expect(parseGauges('queued; rmem 2304/212992, 1 datagrams waiting')).toEqual([{ label: 'rmem', value: 2304, max: 212992 }]);
  });

  it('ignores route prefixes and text without a ratio', () => {
    expect(parseGauges('route 10.0.0.0/24 dev eth1 proto kernel')).toEqual([]);
    expect(parseGauges('no rules loaded, accept')).toEqual([]);
  });
});

describe('parseTraceText', () => {
  const line = JSON.stringify({ t: 1, host: 'h', cpu: 0, skb: 1, flow: 'inbound', step: 1, stage: 'nic-rx', fn: 'eth_rx', detail: '' });

  it('reads JSON Lines and the journey document alike', () => {
    const a = parseTraceText(`${line}\n${line}\n`);
    const b = parseTraceText(JSON.stringify({ scenario: 's', seed: 3, skb: 1, events: [JSON.parse(line), JSON.parse(line)] }));
    expect(a.ok && a.trace.events.length).toBe(2);
    expect(b.ok && b.trace).toMatchObject({ scenario: 's', seed: 3 });
  });

  it('names the first bad line and field', () => {
    expect(parseTraceText(`${line}\n\n{"t":1}\n`)).toEqual({ ok: false, error: { line: 3, message: '"host" must be a non-empty string' } });
    expect(parseTraceText(`${line}\nnope\n`)).toMatchObject({ ok: false, error: { line: 2 } });
  });
});

describe('questionFor', () => {
  it('always offers the true answer among the choices', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 2, maxLength: 60 }), fc.nat(), (raw, at) => {
        const ix = new TraceIndex(toEvents(raw));
        const pos = (at % ix.length) - 1;
        const q = questionFor(ix, pos)!;
        expect(q.choices).toContain(q.answer);
        expect(new Set(q.choices).size).toBe(q.choices.length);
      }),
    );
  });

  it('asks which CPU exactly when a hook verdict is not due and the packet moves to another CPU on the same host', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 2, maxLength: 60 }), fc.nat(), (raw, at) => {
        const events = toEvents(raw);
        const ix = new TraceIndex(events);
        const next = at % ix.length;
        const ev = events[next]!;
        let prev = -1;
        for (let k = next - 1; k >= 0 && prev < 0; k--) if (events[k]!.skb === ev.skb && events[k]!.host === ev.host) prev = k;
        const cpus = new Set(events.filter((e) => e.host === ev.host).map((e) => e.cpu));
        const verdictDue = ev.verdict !== undefined && ev.stage.startsWith('nf-');
        const moved = !verdictDue && prev >= 0 && events[prev]!.cpu !== ev.cpu && cpus.size > 1;
        const q = questionFor(ix, next - 1)!;
        expect(q.prompt.endsWith('On which CPU does it run?')).toBe(moved);
        if (moved) {
          expect(q.answer).toBe(`CPU ${ev.cpu}`);
          expect(q.choices).toEqual([...cpus].sort((a, b) => a - b).slice(0, 4).map((c) => `CPU ${c}`));
        }
      }),
    );
  });
});
