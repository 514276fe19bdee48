// TCP loss recovery through whole scenarios: the four retransmission causes,
// counters against the trace, RTO backoff, SYN timeouts, CUBIC selection,
// and in-order exactly-once delivery under random loss.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { compileScenario } from '../../src/scenario/build.js';
import { simulate, counterValue, type RunResult } from '../../src/scenario/simulate.js';
import type { World } from '../../src/model/world.js';
import { runSysctl } from '../../src/tools/sysctl.js';
import { parseExperiment } from '../../src/sweep/experiment.js';
import '../../src/tools/index.js';
import { tcpCreateSock } from '../../src/transport/tcp.js';
import type { TcpSock } from '../../src/transport/tcp_sock.js';
import { tcpPair } from './tcp_helpers.js';
import {
  FLAG_DATA_ACKED, FLAG_DSACKING_ACK, FLAG_SND_UNA_ADVANCED, tcpProcessTlpAck,
} from '../../src/transport/tcp_recovery.js';

function run(text: string, file = 'test.yaml'): RunResult & { world: World } {
  const r = compileScenario(text, file);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('\n'));
  return { ...simulate(r.scenario, { collectTrace: true }), world: r.scenario.world };
}
const runFile = (f: string) => run(readFileSync(f, 'utf8'), f);
const c = (w: World, host: string, name: string): number => counterValue(w, w.host(host), name) ?? NaN;
const retransEvents = (r: RunResult, host: string, kind = '') =>
  r.trace!.filter((e) => e.host === host && e.stage === 'l4-tx' && e.detail.startsWith(`retransmit${kind ? ` (${kind})` : ''}`));
/** Segments in retransmit trace lines: a run of lost segments goes as one TSO/GSO skb. */
const retransSegs = (r: RunResult, host: string, kind = ''): number =>
  retransEvents(r, host, kind).reduce((n, e) => n + Number(/as one (\d+)-segment/.exec(e.detail)?.[1] ?? 1), 0);
const bytesRead = (w: World): number =>
  ((w.host('server') as unknown as { processes: { bytes?: number }[] }).processes).reduce((s, p) => s + (p.bytes ?? 0), 0);

function pair(link: string, bytes: string, duration: string, seed = 1): string {
  return tcpPair({ link, bytes, duration, seed, client: 'net.ipv4.tcp_wmem: "4096 1048576 4194304"' });
}

describe('retransmission scenarios', () => {
  it('retrans-loss repairs seeded loss with SACK recovery, and TcpRetransSegs counts the retransmit trace lines', () => {
    const r = runFile('scenarios/retrans-loss.yaml');
    const w = r.world;
    expect(c(w, 'client', 'TcpExtTCPSackRecovery')).toBeGreaterThan(0);
    expect(c(w, 'client', 'TcpExtTCPFastRetrans')).toBeGreaterThan(0);
    expect(c(w, 'client', 'TcpRetransSegs')).toBe(retransSegs(r, 'client'));
    expect(c(w, 'client', 'TcpExtTCPFastRetrans')).toBe(retransSegs(r, 'client', 'fast'));
    expect(bytesRead(w)).toBe(4_000_000);
  });

  it('retrans-loss repairs its tail loss with a loss probe 2·SRTT + 2 ms after the last send, not an RTO', () => {
    const r = runFile('scenarios/retrans-loss.yaml');
    const w = r.world;
    expect(c(w, 'client', 'TcpExtTCPTimeouts')).toBe(0);
    const probes = retransEvents(r, 'client', 'TLP');
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.length).toBeLessThanOrEqual(c(w, 'client', 'TcpExtTCPLossProbes'));
    const seen = r.trace!.filter((e) => e.host === 'client' && (e.stage === 'l4-rx' || e === probes[0] || probes.includes(e)));
    for (const p of probes) {
      // The probe is armed by the last ACK: srtt ≈ 10 ms on a 5 ms link gives PTO = 2·srtt + 2 ms ≈ 22 ms,
      // in 4 ms jiffies, well under the 200 ms RTO floor.
      const prev = seen[seen.indexOf(p) - 1]!;
      const gap = p.t - prev.t;
      expect(gap).toBeGreaterThanOrEqual(20e6);
      expect(gap).toBeLessThan(40e6);
    }
  });

  it('without TLP (tcp_early_retrans = 0) the same tail loss waits for the RTO', () => {
    const text = readFileSync('scenarios/retrans-loss.yaml', 'utf8')
      .replace('nics: { eth0: { addr: 10.0.0.1/24 } }', 'nics: { eth0: { addr: 10.0.0.1/24 } }\n    sysctl: { net.ipv4.tcp_early_retrans: 0 }')
      .replace(/^expect:[\s\S]*$/m, '');
    const r = run(text);
    expect(c(r.world, 'client', 'TcpExtTCPLossProbes')).toBe(0);
    expect(retransEvents(r, 'client', 'TLP').length).toBe(0);
    expect(c(r.world, 'client', 'TcpExtTCPTimeouts')).toBeGreaterThan(0);
    expect(bytesRead(r.world)).toBe(4_000_000);
  });

  it('retrans-timeout backs the RTO off by doubling, then retransmits the window in slow start', () => {
    const r = runFile('scenarios/retrans-timeout.yaml');
    const w = r.world;
    const rto = retransEvents(r, 'client', 'RTO').map((e) => e.t);
    expect(rto.length).toBe(c(w, 'client', 'TcpExtTCPTimeouts'));
    expect(rto.length).toBeGreaterThanOrEqual(4);
    const gaps = rto.slice(1).map((t, i) => t - rto[i]!);
    // The first gap is one backed-off RTO (≥ 2 × 200 ms floor); each next one doubles it.
    expect(gaps[0]!).toBeGreaterThanOrEqual(400e6);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]! / gaps[i - 1]!).toBeCloseTo(2, 1);
    expect(c(w, 'client', 'TcpExtTCPSlowStartRetrans')).toBe(retransSegs(r, 'client', 'slow-start'));
    expect(c(w, 'client', 'TcpExtTCPSlowStartRetrans')).toBeGreaterThan(0);
    expect(c(w, 'client', 'TcpRetransSegs')).toBe(retransSegs(r, 'client'));
  });

  it('retrans-reorder sees reordering (TCPSACKReorder) and DSACKs for needless retransmissions, without loss', () => {
    const r = runFile('scenarios/retrans-reorder.yaml');
    const w = r.world;
    expect(c(w, 'client', 'TcpExtTCPSACKReorder')).toBeGreaterThan(0);
    // Every DSACK the server sends, of old data or of data already in its OFO queue, is received.
    expect(c(w, 'client', 'TcpExtTCPDSACKRecv')).toBe(c(w, 'server', 'TcpExtTCPDSACKOldSent') + c(w, 'server', 'TcpExtTCPDSACKOfoSent'));
    expect(r.world.links[0]!.ab.framesLost + r.world.links[0]!.ba.framesLost).toBe(0);
  });

  it('retrans-rcvbuf closes the window for a slow reader and the sender probes it', () => {
    const r = runFile('scenarios/retrans-rcvbuf.yaml');
    const w = r.world;
    expect(c(w, 'server', 'TcpExtTCPToZeroWindowAdv')).toBeGreaterThan(0);
    expect(c(w, 'server', 'TcpExtTCPFromZeroWindowAdv')).toBe(c(w, 'server', 'TcpExtTCPToZeroWindowAdv'));
    expect(c(w, 'client', 'TcpExtTCPWinProbe')).toBeGreaterThan(0);
    expect(r.trace!.some((e) => e.host === 'server' && / win 0 /.test(e.detail))).toBe(true);
    expect(bytesRead(w)).toBe(64_000);
  });
});

describe('RACK on a busy sender', () => {
  it('a 10 Gbit/s bulk sender whose CPUs run ahead of each other retransmits only what the receiver lost (few DSACKs)', () => {
    // The mtu-offloads variants where the receiver's GRO keeps up: MTU 1500, TSO on and off.
    const ex = parseExperiment(readFileSync('scenarios/experiments/mtu-offloads.yaml', 'utf8'), 'mtu-offloads.yaml', () => null);
    if (!ex.ok) throw new Error('bad experiment');
    const variants = ex.experiment.variants.filter((x) => x.params[0] === 1500 && x.params[2] === 'on');
    expect(variants).toHaveLength(2);
    for (const v of variants) {
      const r = run(v.text);
      const w = r.world;
      const retrans = c(w, 'client', 'TcpRetransSegs');
      expect(retrans).toBeLessThanOrEqual(1.2 * w.packets.dropped + 10);
      expect(c(w, 'client', 'TcpExtTCPDSACKRecvSegs')).toBeLessThanOrEqual(0.1 * retrans + 2);
    }
  });
});

describe('SYN retransmission (tcp_syn_retries 6 + tcp_syn_linear_timeouts 4)', () => {
  it('retries at 1, 2, 3, 4, 5 s, then backs off 2, 4, 8, 16, 32 s, and gives up at 131 s', () => {
    const r = run(pair("rate: 1Gbit, delay: 1ms, down: [['0s', '200s']]", '10kB', '140s'));
    const t = retransEvents(r, 'client', 'SYN').map((e) => Math.round((e.t - 1e6) / 1e9));
    expect(t).toEqual([1, 2, 3, 4, 5, 7, 11, 19, 35, 67]);
    expect(c(r.world, 'client', 'TcpExtTCPSynRetrans')).toBe(10);
    expect(c(r.world, 'client', 'TcpAttemptFails')).toBe(1);
    expect(c(r.world, 'client', 'TcpRetransSegs')).toBe(10);
  });
});

describe('congestion control selection', () => {
  it('net.ipv4.tcp_congestion_control reads cubic by default, accepts reno, refuses unknown names', () => {
    const w = run(pair('rate: 1Gbit, delay: 1ms', '1kB', '10ms')).world;
    const h = w.host('client');
    expect(runSysctl(h, ['net.ipv4.tcp_congestion_control']).stdout).toBe('net.ipv4.tcp_congestion_control = cubic\n');
    expect(runSysctl(h, ['-w', 'net.ipv4.tcp_congestion_control=reno']).exitCode).toBe(0);
    expect(runSysctl(h, ['-n', 'net.ipv4.tcp_congestion_control']).stdout).toBe('reno\n');
    const bad = runSysctl(h, ['-w', 'net.ipv4.tcp_congestion_control=vegas99']);
    expect(bad.exitCode).toBe(255);
    expect(bad.stderr).toContain('net.ipv4.tcp_congestion_control');
  });
});

describe('delivery under loss', () => {
  it('every byte written is read once, in order, with SACK or NewReno, cubic or reno, under up to 5% loss', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 400_000 }), fc.integer({ min: 1, max: 1000 }),
        fc.boolean(), fc.boolean(),
        (lossPermille, bytes, seed, sack, reno) => {
          let text = pair(`rate: 1Gbit, delay: 2ms, loss: ${lossPermille / 1000}`, String(bytes), '120s', seed);
          const extra = `net.ipv4.tcp_sack: ${sack ? 1 : 0}, net.ipv4.tcp_congestion_control: ${reno ? 'reno' : 'cubic'}`;
          text = text.replace('sysctl: { net.ipv4.tcp_wmem: "4096 1048576 4194304" }', `sysctl: { net.ipv4.tcp_wmem: "4096 1048576 4194304", ${extra} }`);
          const r = compileScenario(text, 'p.yaml');
          if (!r.ok) throw new Error(JSON.stringify(r.errors));
          simulate(r.scenario, {});
          const w = r.scenario.world;
          // tcp_recvmsg throws on a gap; bytes read equal bytes written.
          expect(bytesRead(w)).toBe(bytes);
          const recovery = c(w, 'client', 'TcpExtTCPSackRecovery') + c(w, 'client', 'TcpExtTCPRenoRecovery');
          if (!sack) expect(c(w, 'client', 'TcpExtTCPSackRecovery')).toBe(0);
          if (c(w, 'client', 'TcpExtTCPFastRetrans') > 0) expect(recovery).toBeGreaterThan(0);
        },
      ),
      { numRuns: 12, seed: 42 },
    );
  });
});

describe('tail loss probe episode (tcp_process_tlp_ack)', () => {
  const host = () => run(pair('rate: 1Gbit, delay: 1ms', '1kB', '10ms')).world.host('client');
  const probeSock = (h: ReturnType<typeof host>, retrans: boolean): TcpSock => {
    const sk = tcpCreateSock(h);
    sk.tlpHighSeq = 100_000;
    sk.tlpRetrans = retrans;
    sk.cwnd = 40;
    sk.sndUna = 90_000;
    sk.sndNxt = 100_000;
    return sk;
  };

  it('counts TCPLossProbeRecovery and reduces cwnd once when an ACK passes a retransmitted probe', () => {
    const h = host();
    const sk = probeSock(h, true);
    const before = counterValue(h.world, h, 'TcpExtTCPLossProbeRecovery')!;
    tcpProcessTlpAck(h, sk, 100_500, FLAG_DATA_ACKED | FLAG_SND_UNA_ADVANCED);
    expect(counterValue(h.world, h, 'TcpExtTCPLossProbeRecovery')).toBe(before + 1);
    expect(sk.tlpHighSeq).toBe(0);
    expect(sk.cwnd).toBe(sk.ssthresh);
    expect(sk.cwnd).toBeLessThan(40);
  });

  it('ends the episode without a loss for a probe of new data, a DSACK of the probe, or a pure duplicate ACK', () => {
    fc.assert(fc.property(fc.constantFrom('new-data', 'dsack', 'dupack'), (kind) => {
      const h = host();
      const sk = probeSock(h, kind !== 'new-data');
      const before = counterValue(h.world, h, 'TcpExtTCPLossProbeRecovery')!;
      const flag = kind === 'dsack' ? FLAG_DSACKING_ACK : kind === 'new-data' ? FLAG_DATA_ACKED | FLAG_SND_UNA_ADVANCED : 0;
      tcpProcessTlpAck(h, sk, kind === 'new-data' ? 100_500 : 100_000, flag);
      expect(sk.tlpHighSeq).toBe(0);
      expect(sk.cwnd).toBe(40);
      expect(counterValue(h.world, h, 'TcpExtTCPLossProbeRecovery')).toBe(before);
    }));
  });

  it('keeps the episode open for an ACK below tlp_high_seq or one that only reaches it', () => {
    const h = host();
    const sk = probeSock(h, true);
    tcpProcessTlpAck(h, sk, 99_000, FLAG_DATA_ACKED | FLAG_SND_UNA_ADVANCED);
    expect(sk.tlpHighSeq).toBe(100_000);
    tcpProcessTlpAck(h, sk, 100_000, FLAG_DATA_ACKED | FLAG_SND_UNA_ADVANCED);
    expect(sk.tlpHighSeq).toBe(100_000);
  });
});
