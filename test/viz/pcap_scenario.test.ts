// A capture from disk becomes a one-host scenario: the host takes the address
// the frames are for and listens on their ports, so the replayed datagrams
// reach a socket; a corrupt file yields the pcap reader's message with its
// byte offset instead of a scenario.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileScenario, simulateCompiled } from '../../src/index.js';
import { pcapScenario, PCAP_HOST } from '../../viz/src/model/pcap_scenario.js';
import { runScenario } from '../../viz/src/model/run_scenario.js';
import { udpCapture as capture } from './capture.js';

const model = { compileScenario, simulateCompiled };

describe('pcapScenario', () => {
  it('replays the frames into a host at the address most of them are for, up to its socket', () => {
    const bytes = capture(8, 1_000_000);
    const built = pcapScenario('dns.pcap', bytes);
    if (!built.ok) throw new Error(built.message);
    expect(built.addr).toBe('172.16.5.9');
    expect(built.frames).toBe(8);
    expect(built.text).toContain('listen: [ udp:5353 ]');
    const run = runScenario(model, { text: built.text, fileName: 'pcap/dns.pcap.yaml', seed: 1, files: new Map([['dns.pcap', bytes]]) });
    const arrivals = run.events.filter((e) => e.host === PCAP_HOST && e.stage === 'nic-rx');
    expect(arrivals).toHaveLength(8);
    // Six datagrams are for the host's address and reach the socket; the two for another address do not.
    expect(run.events.filter((e) => e.host === PCAP_HOST && e.stage === 'sock-rcvq')).toHaveLength(6);
    // Recorded gaps are kept: 1 ms between arrivals.
    expect(arrivals.map((e) => Math.round((e.t - arrivals[0]!.t) / 1e6))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('names the file in the scenario safely, whatever characters its name has', () => {
    const built = pcapScenario('we"ird: {name}.pcap', capture(1, 0));
    if (!built.ok) throw new Error(built.message);
    const r = compileScenario(built.text, 'x.yaml', { readFile: (p) => (p === 'we"ird: {name}.pcap' ? capture(1, 0) : null) });
    expect(r.ok).toBe(true);
  });

  it('a truncated or corrupt file gives the reader message with the byte offset where it fails', () => {
    const full = capture(3, 1000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: full.length - 1 }), (len) => {
        const built = pcapScenario('cut.pcap', full.subarray(0, len));
        if (built.ok) {
          // Cut exactly at a record boundary: a shorter but valid capture.
          expect(built.frames).toBeLessThan(3);
          return;
        }
        const m = /^pcap: .* at byte (\d+)/.exec(built.message);
        expect(m, built.message).not.toBeNull();
        expect(Number(m![1])).toBeLessThanOrEqual(len);
      }),
    );
    const notPcap = pcapScenario('x.pcap', new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(notPcap).toEqual({ ok: false, message: 'pcap: bad magic number 0x47455420 at byte 0: not a pcap savefile' });
  });
});
