import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { simulate, runCommand } from '../../src/index.js';
import { hostVfs } from '../../src/model/vfs.js';
import { readPcap } from '../../src/tools/pcap/reader.js';

const base = readFileSync(new URL('../../scenarios/inbound-tcp.yaml', import.meta.url), 'utf8');

function run(at: Record<string, string[]>) {
  const lines = Object.entries(at).flatMap(([t, cmds]) => [`  ${t}:`, ...cmds.map((c) => `    - ${JSON.stringify(`server: ${c}`)}`)]);
  return simulate(`${base}\nat:\n${lines.join('\n')}\n`, 'x.yaml');
}

describe('tcpdump as a tool', () => {
  it('a timed live capture stops after -c packets and prints them with the summary at the end', () => {
    const r = run({ '100us': ['tcpdump -i eth0 -n -c 5'] });
    const c = r.summary.commands[0]!;
    expect(c.exitCode).toBe(0);
    expect(c.stdout.trim().split('\n')).toHaveLength(5);
    expect(c.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{6} IP 192\.168\.1\.1\.\d+ > 192\.168\.1\.2\.443: Flags \[S\]/);
    expect(c.stderr).toBe('tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n5 packets captured\n5 packets received by filter\n0 packets dropped by kernel\n');
    expect('job' in c).toBe(false);
  });

  it('-w writes a real pcap into the host filesystem that -r reads back, and counts agree through a pipe', () => {
    const r = run({ '100us': ['tcpdump -i any -w /tmp/capture.pcap'], end: ['tcpdump -r /tmp/capture.pcap -n | wc -l', 'tcpdump -r /tmp/capture.pcap -n tcp port 443 | head -n 2'] });
    const [live, count, head] = r.summary.commands;
    const n = Number(/(\d+) packets captured/.exec(live!.stderr)![1]);
    expect(n).toBeGreaterThan(5);
    expect(count!.stdout).toBe(`${n}\n`);
    expect(head!.stdout.trim().split('\n')).toHaveLength(2);
    expect(head!.stderr).toBe('reading from file /tmp/capture.pcap, link-type LINUX_SLL (Linux cooked v1), snapshot length 262144\n');
    const file = hostVfs(r.world.host('server')).read('/tmp/capture.pcap')!;
    const pcap = readPcap(file);
    expect('records' in pcap && pcap.records.length).toBe(n);
  });

  it('relative savefile names land in root\'s home', () => {
    const r = run({ '100us': ['tcpdump -i eth0 -w capture.pcap -C 1'], end: ['ls /root'] });
    expect(r.summary.commands[1]!.stdout).toMatch(/^capture\.pcap\n/);
  });

  it('refuses bad input as tcpdump does, with exit status 1', () => {
    const r = run({ end: ['echo'] });
    const w = r.world;
    const cases: [string, RegExp][] = [
      ['tcpdump -i eth9', /^tcpdump: eth9: No such device exists\n\(No such device exists\)\n$/],
      ['tcpdump -r /tmp/missing.pcap', /^tcpdump: \/tmp\/missing\.pcap: No such file or directory\n$/],
      ['tcpdump -Q', /^tcpdump: option requires an argument -- 'Q'\n/],
      ['tcpdump -i eth0 tcp and', /^tcpdump: /],
      ['tcpdump -w /nonexistent/x.pcap', /^tcpdump: \/nonexistent\/x\.pcap: No such file or directory\n$/],
      ['tcpdump -r /proc/net', /^tcpdump: \/proc\/net: Is a directory\n$/],
      ['tcpdump -c 0', /^tcpdump: invalid packet count 0\n$/],
      ['tcpdump --bogus', /^tcpdump: unrecognized option '--bogus'\n/],
    ];
    for (const [cmd, re] of cases) {
      const res = runCommand(w, 'server', cmd);
      expect(res.exitCode, cmd).toBe(1);
      expect(res.stderr, cmd).toMatch(re);
      expect(res.job, cmd).toBeUndefined();
    }
    hostVfs(w.host('server')).write('/root/notes.txt', new TextEncoder().encode('not a capture\n'));
    expect(runCommand(w, 'server', 'tcpdump -r notes.txt')).toEqual({ stdout: '', stderr: 'tcpdump: unknown file format\n', exitCode: 1 });
  });
});
