import { describe, expect, it } from 'vitest';
import { compileScenario } from '../../src/scenario/build.js';
import { simulate } from '../../src/scenario/simulate.js';
import { udpCapture as build } from '../wire/udp_capture.js';
import { runCommand } from '../../src/tools/runner.js';
import '../../src/tools/index.js';

/** A savefile of `n` UDP datagrams to 192.168.1.2:5000, one every `gapNs`. */
function udpCapture(n: number, gapNs: number): Uint8Array {
  return build(n, gapNs, { daddr: () => 0xc0a80102, sport: () => 40000, dport: 5000, payload: 100, startNs: 1_000_000_000 });
}

const scenario = (file: string) => `
name: replay
duration: 20ms
hosts:
  server:
    nics: { eth0: { addr: 192.168.1.2/24 } }
    listen: [ udp:5000 ]
traffic:
  - { kind: pcap, file: ${file}, inject: server:eth0, at: 1ms }
`;

describe('pcap replay', () => {
  it('delivers every recorded frame at its recorded relative time', () => {
    const bytes = udpCapture(5, 2_000_000);
    const r = compileScenario(scenario('cap.pcap'), 'replay.yaml', { readFile: (p) => (p === 'cap.pcap' ? bytes : null) });
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    runCommand(r.scenario.world, 'server', 'tcpdump -i eth0 -n -w /tmp/seen.pcap');
    const res = simulate(r.scenario, {});
    expect(res.summary.hosts['server']!.counters['UdpInDatagrams']).toBe(5);
    const out = runCommand(r.scenario.world, 'server', 'tcpdump -r /tmp/seen.pcap -n -tttt');
    // The RX tap sees each frame a few microseconds after it reaches the NIC (IRQ, NAPI poll): the gaps stay 2 ms.
    const us = out.stdout.trim().split('\n').map((l) => Math.round(Number(l.split(' ')[1]!.slice(6)) * 1e6));
    expect(us[0]).toBeGreaterThanOrEqual(1000);
    expect(us[0]).toBeLessThan(1100);
    expect(us.map((t) => t - us[0]!)).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it('refuses a truncated or corrupt file at compile time with the byte offset', () => {
    const bytes = udpCapture(2, 1000);
    const cut = bytes.subarray(0, bytes.length - 10);
    const r = compileScenario(scenario('cap.pcap'), 'replay.yaml', { readFile: () => cut });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/^cap\.pcap: truncated packet record at byte \d+: header says 142 bytes, 132 remain$/);
    const notPcap = compileScenario(scenario('x.pcap'), 'replay.yaml', { readFile: () => new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n') });
    expect(!notPcap.ok && notPcap.errors[0]!.message).toMatch(/^x\.pcap: bad magic number 0x47455420 at byte 0: not a pcap savefile$/);
    const missing = compileScenario(scenario('gone.pcap'), 'replay.yaml', { readFile: () => null });
    expect(!missing.ok && `${missing.errors[0]!.line}:${missing.errors[0]!.message}`).toBe('9:cannot read "gone.pcap"');
  });
});
