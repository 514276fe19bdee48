import { describe, expect, it } from 'vitest';
import { compileOrThrow, runFile } from './run_helpers.js';
import { readFileSync } from 'node:fs';
import { simulate } from '../../src/scenario/simulate.js';
import { defaultJourneySkb, journeyEvents } from '../../src/cli/journey_format.js';
import type { TraceEvent } from '../../src/model/trace.js';
import type { Skb } from '../../src/model/skb.js';

const INBOUND = ['nic-rx', 'dma-rx', 'irq', 'napi-poll', 'cpu-backlog', 'nf-prerouting', 'route-input', 'nf-input', 'l4-rx', 'sock-rcvq', 'app-recv'];
const OUTBOUND = ['app-send', 'sock-sndbuf', 'l4-tx', 'nf-output', 'route-output', 'nf-postrouting', 'dev-qdisc', 'driver-xmit', 'dma-tx', 'nic-tx'];

/** The numbered stages (slug at its seed step), in the order the packet met them. */
function numbered(events: TraceEvent[], slugs: string[]): TraceEvent[] {
  return events.filter((e) => slugs[e.step - 1] === e.stage);
}

function expectSteps(events: TraceEvent[], slugs: string[], from = 1): void {
  const steps = events.map((e) => e.step);
  for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThanOrEqual(steps[i - 1]!);
  const want = slugs.slice(from - 1).map((s, i) => `${from + i}:${s}`);
  expect([...new Set(events.map((e) => `${e.step}:${e.stage}`))]).toEqual(want);
}

describe('journey of the default packet', () => {
  it('inbound-tcp: the segment an application reads visits inbound steps 1-11 in order on the server', () => {
    const { trace } = runFile('scenarios/inbound-tcp.yaml');
    const skb = defaultJourneySkb(trace)!;
    const events = journeyEvents(trace, skb).filter((e) => e.host === 'server' && e.flow === 'inbound');
    expect(events.every((e) => e.verdict !== 'drop')).toBe(true);
    expectSteps(numbered(events, INBOUND), INBOUND);
    // No stage of the inbound path is out of step order, extra stages included.
    const steps = events.map((e) => e.step);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThanOrEqual(steps[i - 1]!);
    expect(events.at(-1)).toMatchObject({ stage: 'app-recv', step: 11, verdict: 'consume' });
  });

  it('outbound-tcp: a data segment visits outbound steps 1-10 in order on the sender', () => {
    const { trace } = runFile('scenarios/outbound-tcp.yaml');
    // The first segment the client's application reads was written by the server's.
    const dataSkb = defaultJourneySkb(trace)!;
    const events = journeyEvents(trace, dataSkb).filter((e) => e.host === 'server');
    expect(events.every((e) => e.flow === 'outbound')).toBe(true);
    expectSteps(numbered(events, OUTBOUND), OUTBOUND);
    const ordered = events.map((e) => e.step);
    for (let i = 1; i < ordered.length; i++) expect(ordered[i]).toBeGreaterThanOrEqual(ordered[i - 1]!);
    // The same skb id continues on the receiver after the wire.
    expect(journeyEvents(trace, dataSkb).some((e) => e.host === 'client' && e.stage === 'app-recv')).toBe(true);
  });

  it('forward-udp: on the router a datagram takes inbound 1-8 (FORWARD at 8), then outbound 6-10 with its TTL decremented', () => {
    const path = 'scenarios/forward-udp.yaml';
    const sc = compileOrThrow(readFileSync(path, 'utf8'), path);
    // The trace event has no TTL; record it from the skb each stage is emitted for.
    const ttlAt: { host: string; stage: string; skb: number; ttl: number }[] = [];
    const tracer = sc.world.tracer;
    const emit = tracer.stage.bind(tracer);
    tracer.stage = (t, host, cpu, dev, skb: Skb, st, ...rest) => {
      ttlAt.push({ host, stage: st.slug, skb: skb.id, ttl: skb.ttl });
      emit(t, host, cpu, dev, skb, st, ...rest);
    };
    const { trace, summary } = simulate(sc, { collectTrace: true });
    expect(summary.stopped).toBe('completed');
    const sent = [...new Set(trace.filter((e) => e.host === 'client' && e.stage === 'app-send').map((e) => e.skb))];
    expect(sent).toHaveLength(5);
    for (const skb of sent) {
      const all = journeyEvents(trace, skb);
      const onRouter = all.filter((e) => e.host === 'router');
      const routeAt = onRouter.findIndex((e) => e.stage === 'route-input');
      const before = onRouter.slice(0, routeAt);
      const after = onRouter.slice(routeAt);
      expect(before.every((e) => e.flow === 'inbound')).toBe(true);
      expect(after.every((e) => e.flow === 'forward')).toBe(true);
      expectSteps(numbered(before, INBOUND), INBOUND.slice(0, 6));
      const fwdIn = after.filter((e) => e.stage === 'route-input' || e.stage === 'nf-forward');
      expect(fwdIn.map((e) => `${e.step}:${e.stage}`)).toEqual(['7:route-input', '8:nf-forward']);
      const out = after.slice(after.findIndex((e) => e.stage === 'nf-forward') + 1);
      expectSteps(numbered(out, OUTBOUND), OUTBOUND, 6);
      // The server receives the same skb and an application reads it.
      expect(all.some((e) => e.host === 'server' && e.stage === 'app-recv' && e.verdict === 'consume')).toBe(true);
      const ttl = (host: string, stage: string): number => ttlAt.find((r) => r.skb === skb && r.host === host && r.stage === stage)!.ttl;
      expect(ttl('router', 'nf-prerouting')).toBe(ttl('client', 'nic-tx'));
      expect(ttl('router', 'nic-tx')).toBe(ttl('client', 'nic-tx') - 1);
      expect(ttl('server', 'app-recv')).toBe(ttl('client', 'nic-tx') - 1);
    }
  });
});
