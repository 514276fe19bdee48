// Checks the filter evaluator and the line printer against the real tcpdump
// (4.99) reading pcap files our writer produced. Skips, with a note, when
// /usr/sbin/tcpdump is not installed; CI installs it.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPcap, type PcapFile } from '../../../src/tools/pcap/reader.js';
import { MemoryPcapSink, PcapWriter } from '../../../src/tools/pcap/writer.js';
import { compileFilter, FilterSyntaxError } from '../../../src/tools/tcpdump/filter.js';
import { parseTcpdumpArgs, TcpdumpArgError } from '../../../src/tools/tcpdump/options.js';
import { tcpdumpRead } from '../../../src/tools/tcpdump/read.js';
import { emitFrame, ethernetToSll, LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from '../../../src/wire/frame.js';
import { buildCorpus } from './corpus.js';

/** Debian installs it in /usr/bin (bookworm) or /usr/sbin; either will do. */
const TCPDUMP = ['/usr/sbin/tcpdump', '/usr/bin/tcpdump'].find((p) => existsSync(p)) ?? '';
const HAVE_TCPDUMP = TCPDUMP !== '';
if (!HAVE_TCPDUMP) console.warn('NOTE: /usr/sbin/tcpdump is missing; the real-tcpdump comparisons are skipped (apt-get install -y tcpdump)');

/** Simulated time 0 is this wall-clock second in the files. */
const EPOCH = 1_700_000_000;

export const FILTERS = [
  '', 'tcp', 'udp', 'icmp', 'arp', 'ip', 'not ip', 'host 10.0.0.1', 'src host 10.0.0.1', 'dst host 10.0.0.2',
  'host 10.0.0.2 and not arp', 'net 10.0.0.0/24', 'net 192.168.0.0 mask 255.255.0.0', 'src net 10', 'dst net 172.16',
  'port 443', 'src port 443', 'dst port 443', 'port 53', 'udp port 53', 'tcp port 53', 'port https or port http',
  'portrange 1-1024', 'tcp portrange 40000-50000', 'port 9999', 'udp and not port 9999', 'ip[6:2] & 0x1fff != 0',
  'ip[6] & 0x20 != 0', 'tcp[tcpflags] & (tcp-syn|tcp-ack|tcp-fin|tcp-rst) != 0', 'tcp[tcpflags] & tcp-syn != 0',
  'tcp[tcpflags] == tcp-syn', 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and not src host 10.0.0.1',
  'tcp[13] & 4 != 0', "tcp[tcpflags] & tcp-push != 0", 'tcp[tcpflags] & tcp-urg != 0',
  'icmp[icmptype] == icmp-echo', 'icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply',
  'icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 4', 'icmp[0] = 11', 'less 100', 'greater 1000', 'len > 500',
  'len - 14 >= 1500', 'host 10.0.0.1 or 10.0.0.53', 'host 10.0.0.2 and (port 80 or 22)', 'tcp port 80 or 22',
  'tcp and (src port 443 or dst port 443)', '(tcp or udp) and not host 192.168.1.7', '! tcp && ! udp',
  'ip proto 17', 'proto 1', 'ip proto \\tcp', 'tcp[2:2] = 443', 'udp[4:2] > 100', 'tcp[12] >> 4 = 8',
  'ip[8] < 2', 'ip[1] != 0', 'ip[2:2] * 2 > 3000', 'tcp[4:4] % 2 = 0', 'ether[0] & 1 != 0', 'ether host 02:00:00:00:00:fe',
  'ether src 02:00:00:00:00:02 and icmp', 'broadcast', 'src or dst host 10.0.0.254', 'src and dst net 10.0.0.0/8',
  'arp host 10.0.0.1', 'ip host 10.0.0.1', 'tcp[100] = 0', 'not tcp[100] = 0', 'udp[8:4] = 0 or icmp',
];

/** Malformed filters: tcpdump's message must be ours word for word. */
const BAD_FILTERS = [
  'tcp port', 'port 99999', 'host', 'tcp and', '(tcp', 'tcp)', 'host 300.1.1.1', 'tcp[13', 'net 10.0.0.1/8',
  'net 10.0.0.0/33', 'tcp[tcpflags] & tcp-syn', 'port nosuchsvc', 'proto foo', 'tcp[0:3] = 1', 'len > 1000 and',
  'host 10.0.0.1 or or', 'less', 'tcp[13] = 99999999999', 'tcp[13] / 0 = 1', 'ip port 80', '== 1',
];

function writeCorpus(linktype: number, snaplen = 0): Uint8Array {
  const sink = new MemoryPcapSink();
  const w = new PcapWriter({ linktype, epochSec: EPOCH, snaplen }, (c) => sink.write(c));
  for (const p of buildCorpus()) {
    let f = emitFrame(p.skb, { csumPartial: p.csumPartial });
    if (linktype === LINKTYPE_LINUX_SLL) f = ethernetToSll(f, p.skb.pktType);
    w.writeRecord(p.tsNs, f);
  }
  return sink.bytes();
}

function tcpdump(args: string[]): string {
  return execFileSync(TCPDUMP, args, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Real tcpdump's stdout, or its error message (`tcpdump: ...` without the prefix) when it exits 1. */
function tcpdumpOrError(args: string[]): { out: string } | { error: string } {
  try {
    return { out: tcpdump(args) };
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? '');
    const line = stderr.split('\n').find((l) => l.startsWith('tcpdump: ')) ?? stderr;
    return { error: line.replace(/^tcpdump: /, '') };
  }
}

describe.skipIf(!HAVE_TCPDUMP)('against real tcpdump', () => {
  let dir = '';
  const files: Record<'eth' | 'sll' | 'cut', { path: string; pcap: PcapFile }> = {} as never;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pktpath-tcpdump-'));
    // `cut` is the Ethernet corpus taken with -s 60: headers and payloads end early.
    for (const [name, lt, snap] of [['eth', LINKTYPE_ETHERNET, 0], ['sll', LINKTYPE_LINUX_SLL, 0], ['cut', LINKTYPE_ETHERNET, 60]] as const) {
      const bytes = writeCorpus(lt, snap);
      const path = join(dir, `${name}.pcap`);
      writeFileSync(path, bytes);
      const pcap = readPcap(bytes);
      if (!('records' in pcap)) throw new Error(pcap.message);
      files[name] = { path, pcap };
    }
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses malformed filters with the message tcpdump prints', () => {
    const mismatches: string[] = [];
    for (const text of BAD_FILTERS) {
      const run = tcpdumpOrError(['-r', files.eth.path, '-n', text]);
      const f = compileFilter(text, LINKTYPE_ETHERNET);
      const ours = f instanceof FilterSyntaxError ? f.message : 'accepted';
      const real = 'error' in run ? run.error : 'accepted';
      if (ours !== real) mismatches.push(`${JSON.stringify(text)}: tcpdump says ${real}, ours ${ours}`);
    }
    expect(mismatches).toEqual([]);
  });

  /** Option sets whose output must equal real tcpdump's, line for line. */
  const PRINT_ARGS: Array<[string, string[]]> = [
    ['eth', ['-n']], ['eth', ['-nn']], ['eth', ['-n', '-v']], ['eth', ['-n', '-vv']], ['eth', ['-nvvv']], ['eth', ['-n', '-e']],
    ['eth', ['-n', '-X']], ['eth', ['-n', '-tttt']], ['eth', ['-n', '-tt']], ['eth', ['-n', '-ttt']], ['eth', ['-n', '-ttttt']],
    ['eth', ['-n', '-t', '-v', '-e']], ['eth', ['-n', '-c', '7', 'tcp']], ['eth', ['-n', '-v', 'icmp or udp']],
    ['sll', ['-n']], ['sll', ['-n', '-e']], ['sll', ['-nn', '-v', '-e', '-X']],
    ['cut', ['-n']], ['cut', ['-n', '-vv']], ['cut', ['-n', '-X']], ['eth', ['-n', '-v', '-X']],
  ];
  for (const [name, args] of PRINT_ARGS) {
    it(`prints what tcpdump -r ${name}.pcap ${args.join(' ')} prints`, () => {
      const opts = parseTcpdumpArgs(['-r', files[name].path, ...args]);
      if (opts instanceof TcpdumpArgError) throw new Error(opts.error);
      const ours = tcpdumpRead(opts, readFileSync(files[name].path));
      expect(ours.stdout.split('\n')).toEqual(tcpdump(['-r', files[name].path, ...args]).split('\n'));
    });
  }

  // Without -n tcpdump looks names up. Run it in a fresh network namespace
  // (`unshare -n`, root only) so reverse DNS fails at once, as on a simulated
  // host with no resolver: addresses stay numeric, ports and MAC vendors get names.
  const UNSHARE = ['/usr/bin/unshare', '/bin/unshare'].find((p) => existsSync(p));
  const canUnshare = UNSHARE !== undefined && process.getuid?.() === 0;
  for (const args of [[], ['-v'], ['-e']]) {
    it.skipIf(!canUnshare)(`prints names as tcpdump -r eth.pcap ${args.join(' ')} does without -n`, () => {
      const opts = parseTcpdumpArgs(['-r', files.eth.path, ...args]);
      if (opts instanceof TcpdumpArgError) throw new Error(opts.error);
      const ours = tcpdumpRead(opts, readFileSync(files.eth.path));
      const real = execFileSync(UNSHARE!, ['-n', TCPDUMP, '-r', files.eth.path, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(ours.stdout.split('\n')).toEqual(real.split('\n'));
    });
  }

  for (const name of ['eth', 'sll', 'cut'] as const) {
    it(`matches the per-filter packet counts of tcpdump -r on ${name}.pcap for ${FILTERS.length} filters`, () => {
      const { path, pcap } = files[name];
      const mismatches: string[] = [];
      for (const text of FILTERS) {
        const run = tcpdumpOrError(['-r', path, '-n', ...(text ? [text] : [])]);
        const f = compileFilter(text, pcap.linktype);
        if ('error' in run || f instanceof FilterSyntaxError) {
          const ourError = f instanceof FilterSyntaxError ? f.message : 'no error';
          const realError = 'error' in run ? run.error : 'no error';
          if (ourError !== realError) mismatches.push(`${JSON.stringify(text)}: tcpdump says ${realError}, ours ${ourError}`);
          continue;
        }
        const real = run.out.split('\n').filter((l) => /^\d\d:/.test(l)).length;
        const ours = pcap.records.filter((r) => f.matches(r.data, r.origLen)).length;
        if (ours !== real) mismatches.push(`${JSON.stringify(text)}: tcpdump ${real}, ours ${ours}`);
      }
      expect(mismatches).toEqual([]);
    });
  }
});
