import { describe, expect, it } from 'vitest';
import { CHECKSUM_PARTIAL } from '../../../src/model/skb.js';
import { readPcap, type PcapFile } from '../../../src/tools/pcap/reader.js';
import { MemoryPcapSink } from '../../../src/tools/pcap/writer.js';
import { CaptureSession } from '../../../src/tools/tcpdump/capture.js';
import { FilterSyntaxError } from '../../../src/tools/tcpdump/filter.js';
import { parseTcpdumpArgs, TcpdumpArgError } from '../../../src/tools/tcpdump/options.js';
import { LINKTYPE_LINUX_SLL } from '../../../src/wire/frame.js';
import { buildCorpus } from './corpus.js';

function session(argv: string[], lines: string[] = [], files = new Map<string, MemoryPcapSink>()): CaptureSession {
  const o = parseTcpdumpArgs(argv);
  if (o instanceof TcpdumpArgError) throw new Error(o.error);
  const s = CaptureSession.create(o, { onLine: (l) => lines.push(l), open: (n) => { const m = new MemoryPcapSink(); files.set(n, m); return m; }, epochSec: 0 });
  if (s instanceof FilterSyntaxError) throw new Error(s.message);
  return s;
}

describe('CaptureSession', () => {
  it('prints the packets that pass the filter and stops after -c of them', () => {
    const lines: string[] = [];
    const s = session(['-i', 'eth0', '-n', '-c', '3', 'tcp'], lines);
    for (const p of buildCorpus()) s.tap(p.skb, 'eth0', p.direction, p.tsNs);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('00:00:01.502000 IP 10.0.0.1.45678 > 10.0.0.2.443: Flags [S], seq 2587631360, win 64240, options [mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7], length 0');
    expect(s.stopped).toBe(true);
    expect(s.summary()).toBe('3 packets captured\n5 packets received by filter\n0 packets dropped by kernel\n');
  });

  it('ignores other interfaces unless capturing on any, which leads each line with the interface and direction', () => {
    const lines: string[] = [];
    const s = session(['-i', 'any', '-n', 'icmp[icmptype] = icmp-echo'], lines);
    const echo = buildCorpus().find((p) => p.skb.icmpType === 8)!;
    s.tap(echo.skb, 'eth1', 'Out', 2_000_000_000);
    expect(lines).toEqual(['00:00:02.000000 eth1  Out IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 42, seq 1, length 64']);
    const one = session(['-i', 'eth0', '-n'], lines);
    one.tap(echo.skb, 'eth1', 'Out', 0);
    expect(one.received).toBe(0);
  });

  it('shows a TX-offloaded checksum as incorrect with -v, as a real tap sees it', () => {
    const lines: string[] = [];
    const s = session(['-i', 'eth0', '-n', '-v', 'udp port 6000'], lines);
    const p = buildCorpus().find((c) => c.skb.dport === 6000)!;
    p.skb.ipSummed = CHECKSUM_PARTIAL;
    s.tap(p.skb, 'eth0', 'In', 0);
    s.tap(p.skb, 'eth0', 'Out', 0);
    const vv = session(['-i', 'eth0', '-n', '-vv', 'udp port 6000'], lines);
    vv.tap(p.skb, 'eth0', 'Out', 0);
    expect(lines[2]).toContain('[bad udp cksum 0x1480 -> 0xc01b!] UDP, length 100');
  });

  it('writes -w savefiles in Linux cooked format on any, rotating with -C', () => {
    const files = new Map<string, MemoryPcapSink>();
    const s = session(['-i', 'any', '-w', 'cap.pcap', '-C', '1'], [], files);
    for (let i = 0; i < 100; i++) for (const p of buildCorpus()) s.tap(p.skb, 'eth0', p.direction, p.tsNs + i);
    s.stop();
    expect(s.fileNames.length).toBeGreaterThan(1);
    const first = readPcap(files.get('cap.pcap')!.bytes()) as PcapFile;
    expect(first.linktype).toBe(LINKTYPE_LINUX_SLL);
    expect(files.get('cap.pcap')!.bytes().length).toBeGreaterThan(1_000_000);
    expect(s.fileNames[1]).toBe('cap.pcap1');
  });
});
